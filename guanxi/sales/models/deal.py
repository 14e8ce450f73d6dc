"""Deals (商机): a sale in progress with a customer, moving through the stages of a pipeline.

The stage is a data-driven state machine (``DealStageTransitions``): from any stage a deal may
move to any other stage of its pipeline (``stage_<id>``); entering a stage requires its
required fields, entering a won or lost stage asks for the reason, and every move writes a
``StageChange`` (time in the stage left) and keeps the customer's ``last_won_at`` and lifecycle
stage true (``guanxi.sales.services``).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceListField
from guanxi.framework.models import BaseModel, ChangeLoggedModel, PrimaryModel
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import (
    Input,
    StateMachine,
    Transition,
    TransitionContext,
    TransitionProvider,
)
from guanxi.sales.choices import (
    CLOSE_REASON_LIST,
    DealContactRole,
    ForecastCategory,
    StageKind,
    close_reason_choices,
    default_forecast_category,
)
from guanxi.sales.models.pipeline import Pipeline, Stage, field_list

TRANSITION_PREFIX = "stage_"


def stage_transition_name(stage: Stage | int) -> str:
    return f"{TRANSITION_PREFIX}{getattr(stage, 'pk', stage)}"


def missing_required(deal: Deal, stage: Stage) -> list[str]:
    """The fields ``stage`` requires that ``deal`` leaves empty (in the stage's order)."""
    return [name for name in stage.required_fields or [] if getattr(deal, name, None) in (None, "")]


def _required_fields_guard(stage: Stage) -> Any:
    def guard(ctx: TransitionContext) -> str | None:
        missing = missing_required(ctx.obj, stage)
        if not missing:
            return None
        return gettext("Fill in %(fields)s before moving the deal to “%(stage)s”.") % {
            "fields": field_list(missing),
            "stage": stage.label,
        }

    return guard


#: What keeps a won deal won, registered by the apps that build on a win (``hold_win``; the
#: contracts app: a contract in force). Each check takes the deal and returns why it stays won,
#: or None. Sales does not know those apps; they know sales.
WIN_HOLDS: list[Callable[[Deal], str | None]] = []


def hold_win(check: Callable[[Deal], str | None]) -> Callable[[Deal], str | None]:
    """Register ``check`` (see ``WIN_HOLDS``); usable as a decorator."""
    if check not in WIN_HOLDS:
        WIN_HOLDS.append(check)
    return check


def _win_held(ctx: TransitionContext) -> str | None:
    """The guard of every move to a stage that is not won: from a won stage, the first hold's
    message. Read once per deal object: the record page asks it for each stage it could offer."""
    from guanxi.sales.stage_table import stage_table

    if not WIN_HOLDS or int(ctx.source) not in stage_table().stage_ids([StageKind.WON]):
        return None
    memo = ctx.obj.__dict__
    if "_win_held" not in memo:
        memo["_win_held"] = next((message for check in WIN_HOLDS if (message := check(ctx.obj))), None)
    return memo["_win_held"]


def _entered(ctx: TransitionContext) -> None:
    """Effects of every move: the stage clock restarts; closing stamps closed_at, reopening
    clears the close (and its reason)."""
    deal, now = ctx.obj, timezone.now()
    deal.stage_entered_at = now
    target = deal.stage
    if target.kind == StageKind.OPEN:
        deal.closed_at = None
        deal.close_reason = ""
        deal.close_note = ""
    else:
        deal.closed_at = now


def _pipeline_of(stage: Stage) -> Any:
    """The effect that files the deal under the target stage's pipeline: a no-op inside one
    pipeline, the pipeline change when the deal moves to another board (``move_deal``)."""

    def follow(ctx: TransitionContext) -> None:
        ctx.obj.pipeline_id = stage.pipeline_id

    return follow


def _after_move(ctx: TransitionContext) -> None:
    from guanxi.sales.services import record_stage_change

    record_stage_change(ctx.obj, source_stage_id=int(ctx.source), actor=ctx.actor)


class DealStageTransitions(TransitionProvider):
    """A deal's moves: one transition per other stage of its pipeline (read once per record)."""

    owned_fields = frozenset({"close_reason", "close_note"})

    def stages(self, deal: Deal) -> list[Stage]:
        cache = deal.__dict__.setdefault("_pipeline_stages", {})
        if deal.pipeline_id not in cache:
            cache[deal.pipeline_id] = list(
                Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("order", "pk")
            )
        return cache[deal.pipeline_id]

    def transitions(self, obj: Any) -> Iterable[Transition]:
        if obj.pipeline_id is None:
            return []
        return [self.transition_to(stage) for stage in self.stages(obj) if stage.pk != obj.stage_id]

    @staticmethod
    def transition_to(stage: Stage) -> Transition:
        inputs: dict[str, Input] = {}
        if stage.kind != StageKind.OPEN:
            won = stage.kind == StageKind.WON
            inputs = {
                "reason": Input(
                    field="close_reason",
                    label=_("Why was it won?") if won else _("Why was it lost?"),
                    message=_("Say why the deal was won.") if won else _("Say why the deal was lost."),
                ),
                "note": Input(field="close_note", required=False, label=_("Note")),
            }
        return Transition(
            name=stage_transition_name(stage),
            source=["*"],
            target=str(stage.pk),
            label=stage.label,
            inputs=inputs,
            # the hold first: a deal its contract keeps won is not asked for a stage's fields
            guards=(*(() if stage.kind == StageKind.WON else (_win_held,)), _required_fields_guard(stage)),
            effects=[_pipeline_of(stage), _entered],
            after=[_after_move],
            event={str(StageKind.WON): "won", str(StageKind.LOST): "lost"}.get(str(stage.kind), "move"),
        )

    def state_label(self, state: str) -> str:
        stage = Stage.objects.filter(pk=state).first() if state.isdigit() else None
        return stage.label if stage else state

    def accepts_initial(self, value: Any) -> bool:
        return value is None or getattr(value, "kind", StageKind.OPEN) == StageKind.OPEN


class Deal(PrimaryModel):
    """A sale in progress: customer, pipeline stage, amount, close date, owner and deal team.

    The deal team (协同人) is the record team every owned record has (``core.RecordShare``: one
    access rule in ``restrict()``, one card, one service ``users.services.share_record``);
    ``team`` reads it, and deleting a deal takes its team rows with it (into the recycle bin).
    """

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals", blank=True
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals", blank=True
    )
    amount = MoneyField(_("amount"))
    amount_amount: decimal.Decimal | None  # the MoneyField's columns (for type checkers)
    amount_currency: str
    amount_base: decimal.Decimal | None
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The campaign, event or channel it came from.")
    )
    lead = models.ForeignKey(
        "customers.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        editable=False,
    )
    competitors = models.CharField(_("competitors"), max_length=300, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    close_reason = ChoiceListField(
        _("win/loss reason"),
        max_length=30,
        choices=close_reason_choices,
        blank=True,
        list_name=CLOSE_REASON_LIST,
    )
    close_note = models.CharField(_("win/loss note"), max_length=500, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        blank=True,
        help_text=_("Leave empty to follow the stage's win probability."),
    )

    team = GenericRelation("core.RecordShare")

    # The record team card's title on a deal: what sales teams call the people on it.
    team_title = _("Deal team")

    stage_machine = StateMachine(field="stage", provider=DealStageTransitions())

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The kanban: a pipeline's column, newest in the stage first.
            models.Index(fields=["stage", "-stage_entered_at", "-id"], name="deal_stage_entered"),
            # The list's default order and its usual narrowing (owner, pipeline).
            models.Index(fields=["-created_at", "-id"], name="deal_created"),
            models.Index(fields=["pipeline", "expected_close_date"], name="deal_pipeline_close"),
            models.Index(fields=["owner", "stage"], name="deal_owner_stage"),
            models.Index(fields=["customer", "closed_at"], name="deal_customer_closed"),
            # The board's column counts and totals (a GROUP BY stage over the whole pipeline, won
            # and lost included) read this index alone on PostgreSQL for department scopes:
            # 79 → 23 ms over a pipeline of 70,000 deals (docs/benchmarks.md "deals").
            models.Index(
                fields=["pipeline", "stage"],
                include=["department", "amount_base", "id"],
                name="deal_board_totals",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def version(self) -> str:
        """The token a board move sends back (``_version``): a save since then is a conflict."""
        from guanxi.framework.write import version_of

        return version_of(self)

    @property
    def weighted_base(self) -> Any:
        """The amount in the company currency times the stage's win probability."""
        if self.amount_base is None:
            return None
        return self.amount_base * self.stage.probability / 100

    @property
    def is_stale(self) -> bool:
        days = self.stage.stale_after_days
        if days is None or self.stage.kind != StageKind.OPEN or self.stage_entered_at is None:
            return False
        return (timezone.now() - self.stage_entered_at).days >= days

    def fill_stage_defaults(self) -> None:
        """A new deal without a pipeline goes to the default one, without a stage to the first
        open stage of its pipeline."""
        if self.pipeline_id is None:
            default = Pipeline.objects.filter(is_default=True, active=True).first()
            if default is None:
                raise ValidationError({"pipeline": gettext("Choose a pipeline.")})
            self.pipeline = default
        if self.stage_id is None:
            first = self.pipeline.first_open_stage()
            if first is None:
                raise ValidationError({"stage": gettext("This pipeline has no open stage.")})
            self.stage = first

    def clean(self) -> None:
        super().clean()
        self.fill_stage_defaults()
        if self.stage.pipeline_id != self.pipeline_id:
            raise ValidationError({"stage": gettext("Choose a stage of the deal's pipeline.")})
        if self._state.adding:
            if self.stage.kind != StageKind.OPEN:
                raise ValidationError({"stage": gettext("A new deal starts in an open stage.")})
            missing = missing_required(self, self.stage)
            if missing:
                raise ValidationError(
                    {
                        name: gettext("“%(stage)s” requires this field.") % {"stage": self.stage.label}
                        for name in missing
                    }
                )
        elif "pipeline" in self.changed_fields() and "stage" not in self.changed_fields():
            raise ValidationError({"pipeline": gettext("Move the deal to another pipeline from its page.")})

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        if creating and self.stage_entered_at is None:
            self.stage_entered_at = timezone.now()
        # The category follows the stage unless the writer sets it in the same write.
        moved = creating or "stage" in changed
        if (moved and "forecast_category" not in changed) or not self.forecast_category:
            self.forecast_category = default_forecast_category(self.stage.kind, self.stage.probability)


class DealContact(ChangeLoggedModel):
    """A contact's role on one deal (decision maker, influencer…): visible with the deal."""

    access_parent = "deal"
    changelog_parent = "deal"

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="contact_roles"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="deal_roles"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=DealContactRole.choices, default=DealContactRole.OTHER
    )

    class Meta:
        verbose_name = _("deal contact")
        verbose_name_plural = _("deal contacts")
        constraints = [models.UniqueConstraint(fields=["deal", "contact"], name="dealcontact_unique")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_role_display()})"


class StageChange(BaseModel):
    """One move of a deal between stages, with how long it had been in the stage it left."""

    access_parent = "deal"

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("from stage"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seconds_in_stage = models.PositiveBigIntegerField(
        _("time in previous stage (seconds)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["deal", "changed_at", "pk"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def days_in_stage(self) -> str:
        """The time spent in the stage left, as days (one decimal)."""
        return f"{(self.seconds_in_stage or 0) / 86400:.1f}"
