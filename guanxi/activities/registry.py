"""Which models can be followed up (客户, 联系人, 线索…), and which customer a follow-up concerns.

::

    register_followable(Lead, customer_of=lambda lead: lead.converted_customer)

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


@dataclass(frozen=True)
class Followable:
    """One registered target model and how to find the customer of one of its rows."""

    model: type[models.Model]
    customer_of: Callable[[Any], Any]
    customers_of: Callable[[Any], Iterable[Any]]


_FOLLOWABLE: dict[type[models.Model], Followable] = {}


def register_followable(
    model: type[models.Model],
    *,
    customer_of: Callable[[Any], Any] | None = None,
    customers_of: Callable[[Any], Iterable[Any]] | None = None,
) -> Followable:
    """Let users log follow-ups and tasks on ``model``'s records (re-registering replaces)."""
    find = customer_of or (lambda obj: None)
    entry = Followable(model, find, customers_of or (lambda obj: [c for c in [find(obj)] if c is not None]))
    _FOLLOWABLE[model] = entry
    return entry


def followable(model: type[models.Model] | Any) -> Followable | None:
    """The registration of a model (or of an instance's model), None when not followable."""
    if not isinstance(model, type):
        model = type(model)
    return _FOLLOWABLE.get(model)


def followable_models() -> list[type[models.Model]]:
    return list(_FOLLOWABLE)


def customer_of(obj: Any) -> Any:
    entry = followable(obj)
    return entry.customer_of(obj) if entry is not None else None


def _contact_customer(contact: Any) -> Any:
    """A contact's primary customer, else the first one it was linked to."""
    link = contact.customer_links.select_related("customer").order_by("-is_primary", "id").first()
    return link.customer if link is not None else None


def _contact_customers(contact: Any) -> list[Any]:
    return [
        link.customer
        for link in contact.customer_links.select_related("customer").order_by("-is_primary", "id")
    ]


def register_defaults() -> None:
    """Customers and contacts; the leads module registers Lead from its own AppConfig.ready()."""
    from guanxi.customers.models import Contact, Customer

    register_followable(Customer, customer_of=lambda customer: customer)
    register_followable(Contact, customer_of=_contact_customer, customers_of=_contact_customers)
