"""Use cases of deals: create (with its team), move between stages (the kanban) and contacts.

Every function takes a keyword-only ``actor``, runs in a transaction and writes through the write
path (``save_object``) or the state machine (``transition``). A refusal raises before anything
is written: ``ValidationError`` (field messages), ``PermissionDenied`` or ``TransitionConflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework import changes
from guanxi.framework.statemachine import transition
from guanxi.framework.write import save_object
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal, DealContact, Pipeline, Stage, StageChange
from guanxi.sales.models.deal import missing_required, stage_transition_name
from guanxi.sales.models.pipeline import field_list


class RequiredFieldsMissing(ValidationError):
    """The target stage requires fields the deal leaves empty; ``fields`` names them."""

    def __init__(self, stage: Stage, fields: list[str]) -> None:
        self.stage, self.fields = stage, fields
        labels = field_list(fields)
        super().__init__(
            {
                "transition": [
                    _("Fill in %(fields)s before moving the deal to “%(stage)s”.")
                    % {"fields": labels, "stage": stage.label}
                ],
                **{name: [_("“%(stage)s” requires this field.") % {"stage": stage.label}] for name in fields},
            }
        )


def create_deal(
    *, actor: Any, deal: Deal, team: Sequence[tuple[Any, str]] = (), tags: list[Any] | None = None
) -> Deal:
    """Create ``deal`` (unsaved) through the write path, with its team ((user, "read" | "write")
    pairs: the record team, ``users.services.share_record``). (Its stage history starts with its
    first move: the time in the first stage counts from the deal's creation.)"""
    from guanxi.users.services.access import share_record

    with transaction.atomic():
        deal.full_clean()
        save_object(deal, actor=actor, tags=tags)
        for user, access in team:
            share_record(deal, user, access, actor=actor)
    return deal


def move_deal(
    deal: Deal,
    stage: Stage,
    *,
    actor: Any,
    reason: str = "",
    note: str = "",
    fields: dict[str, Any] | None = None,
    expected_version: str | None = None,
) -> Deal:
    """Move ``deal`` to ``stage`` (a kanban drop, the API, a button, the pipeline page).

    ``stage`` is one of the deal's pipeline or an open stage of another pipeline the actor works
    with (``visible_pipelines``): the deal then changes boards, and its stage history records the
    move like any other. ``fields`` fills in what the stage requires in the same transaction (the
    board's dialog); a won or lost stage needs ``reason``. Raises ``RequiredFieldsMissing`` naming
    the fields still empty, ``TransitionConflict`` when someone moved or changed the deal since
    ``expected_version`` (or since ``deal`` was read), ``PermissionDenied`` without *change* on
    the deal.
    """
    if stage.pipeline_id != deal.pipeline_id:
        _check_other_pipeline(stage, actor)
    if stage.pk == deal.stage_id:
        raise ValidationError({"stage": [_("The deal is already in this stage.")]})
    with transaction.atomic():
        if fields:
            # The fields a stage asks for are ordinary edits: the same write path, the same version.
            if not _may_change_deal(deal, actor):
                raise PermissionDenied(_("You may not change this deal."))
            for name, value in fields.items():
                if name not in (stage.required_fields or []):
                    raise ValidationError({name: [_("This field cannot be changed here.")]})
                setattr(deal, name, value)
            deal.full_clean()
            save_object(deal, actor=actor, expected_version=expected_version)
            expected_version = None  # the edit above checked it; the transition checks the state
            deal.refresh_from_db()
        missing = missing_required(deal, stage)
        if missing:
            raise RequiredFieldsMissing(stage, missing)
        inputs: dict[str, Any] = {}
        if stage.kind != StageKind.OPEN:
            inputs = {"reason": reason, "note": note}
        # The transitions offered are those of the pipeline the deal is filed under: to enter
        # another pipeline's stage, read them as the other board's (the transition's effect
        # files the saved row there, in the same save as the stage).
        home, deal.pipeline_id = deal.pipeline_id, stage.pipeline_id
        try:
            transition(
                deal, stage_transition_name(stage), actor=actor, expected_version=expected_version, **inputs
            )
        except BaseException:
            deal.pipeline_id = home  # refused: the caller's object stays as it was read
            raise
    return deal


def _check_other_pipeline(stage: Stage, actor: Any) -> None:
    """A deal changes pipelines into an open stage of an active pipeline the actor works with."""
    if not visible_pipelines(actor).filter(pk=stage.pipeline_id).exists():
        raise ValidationError({"stage": [_("Choose a stage of a pipeline you work with.")]})
    if stage.kind != StageKind.OPEN:
        raise ValidationError(
            {"stage": [_("A deal enters another pipeline in an open stage; close it there afterwards.")]}
        )


def pipeline_choices(deal: Deal, actor: Any) -> list[tuple[Pipeline, list[Stage]]]:
    """The pipelines ``deal`` can move to for ``actor``, each with its open stages in order."""
    pipelines = [p for p in visible_pipelines(actor) if p.pk != deal.pipeline_id]
    stages: dict[int, list[Stage]] = {p.pk: [] for p in pipelines}
    for stage in Stage.objects.filter(pipeline__in=list(stages), kind=StageKind.OPEN).order_by("order", "pk"):
        stages[stage.pipeline_id].append(stage)
    return [(p, stages[p.pk]) for p in pipelines if stages[p.pk]]


def record_stage_change(deal: Deal, *, source_stage_id: int, actor: Any) -> StageChange:
    """After a move (the transition's ``after``): the history row with the time spent in the stage
    left, and the customer's won date and lifecycle stage when the deal was won."""
    now = deal.stage_entered_at or timezone.now()
    previous = StageChange.objects.filter(deal=deal).order_by("-changed_at", "-pk").first()
    since = previous.changed_at if previous else deal.created_at
    change = StageChange(
        deal=deal,
        from_stage_id=source_stage_id,
        to_stage_id=deal.stage_id,
        changed_at=now,
        changed_by=_user(actor),
        seconds_in_stage=max(0, int((now - since).total_seconds())) if since else None,
    )
    save_object(change, actor=actor, check_visible=False)
    target = Stage.objects.get(pk=deal.stage_id)
    source_kind = Stage.objects.filter(pk=source_stage_id).values_list("kind", flat=True).first()
    if target.kind == StageKind.WON or source_kind == StageKind.WON:
        refresh_customer_wins(deal.customer_id)
    return change


def refresh_customer_wins(customer_id: int) -> None:
    """The customer's ``last_won_at`` is its latest won deal's close (None without one) and its
    lifecycle stage follows: 成交 after a first win, 复购 after more; a customer whose only win was
    reopened goes back to 潜在. A set-based write with its change-log entry (the actor may edit the
    deal without editing the customer)."""
    from guanxi.customers.models import Customer

    won = Deal.objects.filter(customer_id=customer_id, stage__kind=StageKind.WON).exclude(closed_at=None)
    last = won.order_by("-closed_at").values_list("closed_at", flat=True).first()
    count = won.count()
    row = Customer.objects.filter(pk=customer_id).values("last_won_at", "stage", "name").first()
    if row is None:
        return
    lifecycle = row["stage"]
    if count == 1 and lifecycle in (Customer.Stage.PROSPECT, Customer.Stage.LOST, Customer.Stage.WON):
        lifecycle = Customer.Stage.WON
    elif count > 1 and lifecycle in (Customer.Stage.PROSPECT, Customer.Stage.LOST, Customer.Stage.WON):
        lifecycle = Customer.Stage.REPEAT
    elif count == 0 and lifecycle in (Customer.Stage.WON, Customer.Stage.REPEAT):
        lifecycle = Customer.Stage.PROSPECT
    if (last, lifecycle) == (row["last_won_at"], row["stage"]):
        return
    Customer.objects.filter(pk=customer_id).update(last_won_at=last, stage=lifecycle)
    if lifecycle != row["stage"]:
        changes.write_changes(
            [
                changes.change_row(
                    Customer,
                    customer_id,
                    row["name"],
                    "update",
                    {"stage": row["stage"]},
                    {"stage": lifecycle},
                    message=_("Lifecycle stage follows the customer's won deals."),
                )
            ]
        )


# -- contacts on the deal ---------------------------------------------------------------------------
# (The deal team is the record team: ``guanxi.users.services.access.share_record`` / ``unshare_record``.)
def _may_change_deal(deal: Deal, actor: Any) -> bool:
    return actor is None or Deal.objects.restrict(actor, "change").filter(pk=deal.pk).exists()


def set_deal_contact(*, deal: Deal, contact: Any, role: str, actor: Any) -> DealContact:
    """Name a contact's role on the deal; needs *change* on the deal and a contact it may see."""
    from guanxi.customers.models import Contact

    with transaction.atomic():
        if not _may_change_deal(deal, actor):
            raise PermissionDenied(_("You may not change this deal."))
        if actor is not None and not Contact.objects.restrict(actor, "view").filter(pk=contact.pk).exists():
            raise ValidationError({"contact": [_("Choose a contact you can see.")]})
        link = DealContact.objects.filter(deal=deal, contact=contact).first() or DealContact(
            deal=deal, contact=contact
        )
        link.role = role
        link.full_clean(exclude=["deal", "contact"])
        save_object(link, actor=actor, check_visible=False)
    return link


# -- reads ------------------------------------------------------------------------------------------
def visible_pipelines(user: Any) -> Any:
    """The active pipelines ``user`` works with: those naming one of the user's departments or
    an ancestor of it, and those naming none (everyone's); administrators see every pipeline."""
    from guanxi.customers.pools.access import department_ancestor_ids

    pipelines = Pipeline.objects.restrict(user, "view").filter(active=True)
    if user.is_superuser:
        return pipelines.order_by("-is_default", "order", "pk")
    ancestors = department_ancestor_ids(user)
    return (
        pipelines.filter(Q(departments__isnull=True) | Q(departments__in=ancestors))
        .distinct()
        .order_by("-is_default", "order", "pk")
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def create_deal_from_lead(
    lead: Any, customer: Any, contact: Any, *, actor: Any, name: str, amount: Any = None
) -> Deal:
    """The deal a lead's conversion creates: the lead's owner, its source as the deal's source,
    the new contact as its decision maker."""
    from guanxi.sales.choices import DealContactRole

    source = " / ".join(v for v in (lead.get_source_display(), lead.utm_campaign) if v)
    deal = Deal(
        name=name,
        customer=customer,
        lead=lead,
        owner=lead.owner or (actor if getattr(actor, "pk", None) else None),
        source=source[:200],
        amount_amount=amount,
    )
    create_deal(actor=actor, deal=deal)
    if contact is not None:
        set_deal_contact(deal=deal, contact=contact, role=DealContactRole.DECISION_MAKER, actor=None)
    return deal
