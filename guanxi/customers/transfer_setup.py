"""Wiring of customers into the transfer machinery: what can be transferred, and the buttons."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact, Customer, Lead
from guanxi.customers.services.handover import carry_transferred
from guanxi.framework.bulkactions import register_bulk_action
from guanxi.framework.cards import register_card
from guanxi.framework.transfer import register_transferable

# A transfer resets what any new owner resets (the ownership clock, the pool).
# A transferred customer takes its contacts and open tasks along (services/handover.py).
register_transferable(
    Customer, _("customers"), extra_fields=Customer.new_owner_values, carry=carry_transferred
)
register_transferable(Contact, _("contacts"))
# A leaving colleague's open leads go with their customers; converted and disqualified ones stay.
register_transferable(
    Lead,
    _("leads"),
    open_filter=Q(status__in=[Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED]),
    extra_fields=lambda: {"assigned_at": timezone.now()},
)
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
