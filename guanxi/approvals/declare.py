"""How a module puts a transition under approval: it *declares* the flow, the engine does the rest.

::

    # guanxi/quotes/approvals.py (imported at start-up, like tasks.py and events.py)
    from guanxi.approvals.declare import Step, declare_flow

    declare_flow(
        Quote,
        "submit",                        # a Transition(..., needs_approval=True) of Quote's machine
        key="quotes.quote.submit",       # stable: the default flow is created once under this key
        name="报价审批",
        name_en="Quote approval",
        condition={"version": 1, "any": [
            {"field": "discount_percent", "op": "gt", "value": 15},
            {"field": "total_base", "op": "gt", "value": 100000},
        ]},
        steps=[Step("manager", name="经理审批", name_en="Manager"),
               Step("role", role="sales_director", name="总监审批", name_en="Director", mode="all")],
        deadline_hours=24,
    )

Beside the flow, a type declares its *summary*: what the approver reads on the request page
before deciding (and the key amount the 待我审批 / 我发起的 lists show)::

    declare_summary(
        Quote,
        fields=["customer", "deal", "grand_total", "discount_percent", "valid_until"],
        amount="grand_total",
        lines=SummaryLines(
            lambda quote: quote.lines.select_related("product"),
            fields=["item", "quantity", "unit_price", "discount_percent", "total"],
            computed={"item": (_("Item"), line_item)},
        ),
    )

Declaring makes the model *approvable*: the write guard locks its records while a request is
pending, approvers may read them (row access), and the default flow row is created after
``migrate`` (``install_declared_flows``) — administrators then edit it, add flows or switch it off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from guanxi.framework.statemachine import machines_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One step of a declared flow: ``approvers`` is role, manager, manager2 or users."""

    approvers: str
    name: str = ""
    name_en: str = ""
    role: str = ""
    users: tuple[int, ...] = ()
    mode: str = "any"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "name_en": self.name_en,
            "approvers": self.approvers,
            "mode": self.mode,
        }
        if self.role:
            data["role"] = self.role
        if self.users:
            data["users"] = list(self.users)
        return data


@dataclass(frozen=True)
class FlowDeclaration:
    model: type[models.Model]
    transition: str
    key: str
    name: str
    name_en: str = ""
    condition: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    deadline_hours: int | None = None
    remind_hours: int | None = None
    escalate: bool = True
    priority: int = 100


DECLARED: dict[str, FlowDeclaration] = {}
APPROVABLE: set[type[models.Model]] = set()


@dataclass(frozen=True)
class SummaryLines:
    """The rows of a document the approver reads under its summary (a quote's lines, a contract's
    payment plan): ``rows(document)`` is a queryset of them (``select_related`` what the fields
    follow), ``fields`` the columns — a field of the row's model (read through the field rules,
    like the document's), or a name ``computed`` maps to ``(heading, row → text)`` (a quote
    line's item: product and description). The first ``limit`` rows are shown, then "and N more"
    with a link to the document."""

    rows: Callable[[Any], models.QuerySet[Any]]
    fields: Sequence[str]
    title: Any = ""
    computed: dict[str, tuple[Any, Callable[[Any], Any]]] = field(default_factory=dict)
    limit: int = 20


@dataclass(frozen=True)
class SummaryDeclaration:
    model: type[models.Model]
    fields: tuple[str, ...]
    amount: str = ""
    lines: SummaryLines | None = None
    select_related: tuple[str, ...] = ()


SUMMARIES: dict[type[models.Model], SummaryDeclaration] = {}


def approvable_transitions(model: type[models.Model]) -> list[str]:
    """The names of ``model``'s transitions that wait for an approval."""
    return [t.name for m in machines_for(model) for t in m.transitions.values() if t.needs_approval]


def declare_approvable(model: type[models.Model]) -> None:
    """Put ``model`` under the engine (lock, approver read access) without a default flow."""
    if not approvable_transitions(model):
        raise ImproperlyConfigured(
            f"{model.__name__} has no transition with needs_approval=True: nothing to approve."
        )
    if model in APPROVABLE:
        return
    from guanxi.approvals import access

    access.enable(model)
    APPROVABLE.add(model)


def declare_flow(
    model: type[models.Model],
    transition: str,
    *,
    key: str,
    name: str,
    name_en: str = "",
    steps: Iterable[Step],
    condition: dict[str, Any] | None = None,
    deadline_hours: int | None = None,
    remind_hours: int | None = None,
    escalate: bool = True,
    priority: int = 100,
) -> FlowDeclaration:
    """Declare the default flow of ``model``'s ``transition`` (see the module docstring)."""
    if transition not in approvable_transitions(model):
        raise ImproperlyConfigured(
            f"{model.__name__}.{transition} is not a transition with needs_approval=True."
        )
    declaration = FlowDeclaration(
        model=model,
        transition=transition,
        key=key,
        name=name,
        name_en=name_en,
        condition=condition or {"version": 1, "all": []},
        steps=tuple(steps),
        deadline_hours=deadline_hours,
        remind_hours=remind_hours,
        escalate=escalate,
        priority=priority,
    )
    DECLARED[key] = declaration
    declare_approvable(model)
    return declaration


def declare_summary(
    model: type[models.Model],
    *,
    fields: Iterable[str],
    amount: str = "",
    lines: SummaryLines | None = None,
) -> SummaryDeclaration:
    """Declare what an approver of ``model`` reads on the request page (see the module docstring).

    ``fields`` are the document's fields in order: a plain field, a foreign key (shown as its
    label), or a money field's name (``grand_total``: amount with its currency). ``amount`` is the
    money field the approval lists show as the request's key amount. Every value is read through
    the field rules of the reader (``guanxi.approvals.summary``)."""
    from guanxi.framework.moneyfields import money_field

    names = tuple(fields)
    related: list[str] = []
    for name in names:
        if money_field(model, name) is not None:
            continue
        try:
            found = model._meta.get_field(name)
        except Exception as exc:
            raise ImproperlyConfigured(f"{model.__name__} has no field {name!r} to summarise.") from exc
        if found.many_to_one or found.one_to_one:
            related.append(name)
    if amount and money_field(model, amount) is None:
        raise ImproperlyConfigured(f"{model.__name__}.{amount} is not a money field.")
    declaration = SummaryDeclaration(
        model=model, fields=names, amount=amount, lines=lines, select_related=tuple(related)
    )
    SUMMARIES[model] = declaration
    return declaration


def install_declared_flows(sender: Any = None, **kwargs: Any) -> list[Any]:
    """Create the flow of every declaration whose key has none yet (post_migrate; idempotent).

    An administrator's edits are kept: an existing flow is never overwritten."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.utils import DatabaseError

    from guanxi.approvals.models import ApprovalFlow
    from guanxi.framework.context import Source, actor_context

    created: list[Any] = []
    try:
        existing = set(ApprovalFlow.objects.filter(key__in=list(DECLARED)).values_list("key", flat=True))
    except DatabaseError:  # the table does not exist yet (a partial migrate)
        return created
    with actor_context(None, source=Source.SYSTEM):
        for key, d in DECLARED.items():
            if key in existing:
                continue
            flow = ApprovalFlow(
                key=key,
                name=d.name,
                name_en=d.name_en,
                content_type=ContentType.objects.get_for_model(d.model),
                transition=d.transition,
                condition=d.condition,
                steps=[s.as_json() for s in d.steps],
                deadline_hours=d.deadline_hours,
                remind_hours=d.remind_hours,
                escalate=d.escalate,
                priority=d.priority,
            )
            try:
                flow.full_clean()
            except ValidationError as exc:  # a role the declaration names is missing here
                logger.warning("Approval flow %s not installed: %s", key, exc.messages)
                continue
            created.append(flow)
        # Seeding, like the roles' default grants: the shipped configuration, not a user's edit,
        # so it is inserted without change-log entries or events.
        ApprovalFlow.objects.bulk_create(created)
    return created
