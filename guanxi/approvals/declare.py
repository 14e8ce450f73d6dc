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

Declaring makes the model *approvable*: the write guard locks its records while a request is
pending, approvers may read them (row access), and the default flow row is created after
``migrate`` (``install_declared_flows``) — administrators then edit it, add flows or switch it off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
