"""Which models can be followed up (客户, 联系人, 线索…), and which customer a follow-up concerns.

An entity opts in with ``follow=Follow(customer_of=...)`` in its ``EntityType``
(``guanxi.framework.entities``)::

    follow=Follow(customer_of=lambda lead: lead.converted_customer, on_logged=record_lead_contact)

``customer_of(obj)`` names the customer a follow-up on ``obj`` concerns (or None); it fills the
denormalised ``customer`` column of follow-ups and tasks, so a customer's timeline shows what was
logged on its contacts too. ``customers_of(obj)`` (optional) lists the customers a user may pick
instead when the record belongs to several (a contact working with two customers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from guanxi.framework.entities import entity_for, entity_types


@dataclass(frozen=True)
class Followable:
    """One followable model and how to find the customer of one of its rows."""

    model: type[models.Model]
    customer_of: Callable[[Any], Any]
    customers_of: Callable[[Any], Iterable[Any]]
    # Called inside log_follow_up's transaction: the target model's own reaction (a new lead
    # becomes "contacted").
    on_logged: Callable[[Any, Any], None] | None = None


def followable(model: type[models.Model] | Any) -> Followable | None:
    """The follow-up behaviour of a model (or of an instance's model), None when not followable."""
    entity = entity_for(model)
    if entity is None or entity.follow is None:
        return None
    spec = entity.follow
    find = spec.customer_of or (lambda obj: None)
    return Followable(
        entity.model,
        find,
        spec.customers_of or (lambda obj: [c for c in [find(obj)] if c is not None]),
        spec.on_logged,
    )


def followable_models() -> list[type[models.Model]]:
    return [e.model for e in entity_types() if e.follow is not None]


def customer_of(obj: Any) -> Any:
    entry = followable(obj)
    return entry.customer_of(obj) if entry is not None else None


def _carry_lead_activity(lead: Any, customer: Any) -> None:
    """A converted lead's follow-ups and tasks move to the customer's timeline."""
    from guanxi.activities.services import carry_over_to_customer

    carry_over_to_customer(target=lead, customer=customer)  # convert_lead checked the actor


def register_defaults() -> None:
    """A converted lead's activity follows it (activities depends on customers, never the other way)."""
    from guanxi.customers.leads.services.leads import register_lead_activity_hook

    register_lead_activity_hook(_carry_lead_activity)
