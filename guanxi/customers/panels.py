"""The customer profile's "Contacts" card (a detail-context provider, see guanxi.framework.panels)."""

from __future__ import annotations

from typing import Any

from guanxi.framework.access import can


def customer_contacts_context(request: Any, obj: Any) -> dict[str, Any]:
    """The customer's contacts the user may view, primary first, with their role."""
    from guanxi.customers.models import Contact, Customer, CustomerContact

    if not isinstance(obj, Customer):
        return {}
    visible = Contact.objects.restrict(request.user, "view").values("pk")
    links = (
        CustomerContact.objects.filter(customer=obj, contact__in=visible)
        .select_related("contact")
        .order_by("-is_primary", "contact__name")
    )
    return {
        "contact_links": list(links),
        "can_add_contact": can(request.user, "add", Contact),
    }
