"""What a customer merge must restore besides the generic engine (``guanxi.framework.merging``)."""

from __future__ import annotations

from typing import Any

from guanxi.customers.models import Customer, CustomerContact
from guanxi.framework.merging import MergePlan
from guanxi.framework.write import save_object


def after_customer_merge(survivor: Customer, merged: list[Customer], *, actor: Any, plan: MergePlan) -> None:
    """One primary contact per customer: the merged records' primary links came along, so the
    survivor's own primary (else the earliest link) stays primary and the others become ordinary
    links (logged on the customer's history like any edit of a link)."""
    primaries = list(
        CustomerContact.objects.filter(customer=survivor, is_primary=True).order_by("updated_at", "pk")
    )
    if len(primaries) < 2:
        return
    moved = plan.moved_ids(CustomerContact)
    own = [link for link in primaries if link.pk not in moved]
    keep = (own or primaries)[0]
    for link in primaries:
        if link.pk != keep.pk:
            link.is_primary = False
            save_object(link, actor=actor, check_visible=False)
