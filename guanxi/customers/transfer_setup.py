"""The transfer and merge buttons of customers and contacts (what can be transferred or merged is
declared in entities.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact, Customer
from guanxi.framework.bulkactions import register_bulk_action
from guanxi.framework.cards import register_card

register_bulk_action(
    Customer,
    _("Transfer"),
    "customers:customer_bulk_transfer",
    icon="arrows-exchange",
    action="assign",
    weight=10,
)


@register_card("detail.actions", "customers/cards/transfer_action.html", weight=10)
def customer_transfer_action(request: Any, obj: Any) -> dict[str, Any] | None:
    """The "Transfer" quick action on a customer's page, for users who may assign it."""
    if not isinstance(obj, Customer):
        return None
    if not Customer.objects.restrict(request.user, "assign").filter(pk=obj.pk).exists():
        return None
    return {}


# 合并: the list's selection opens the merge page (guanxi.framework.views.merge); it needs delete.
register_bulk_action(Customer, _("Merge"), "customers:merge", icon="arrow-merge", action="delete", weight=20)
register_bulk_action(
    Contact, _("Merge"), "customers:contact_merge", icon="arrow-merge", action="delete", weight=20
)
