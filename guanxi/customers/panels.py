"""The customer profile's "Contacts" card (a detail-context provider, see guanxi.framework.panels)."""

from __future__ import annotations

from typing import Any

from guanxi.framework.access import can


def customer_contacts_context(request: Any, obj: Any) -> dict[str, Any]:
    """The customer's contacts the user may view, primary first, with their role; and, for users
    who may change the customer, the forms to edit a link, unlink and link an existing contact."""
    from guanxi.customers.forms import ContactLinkForm, LinkExistingContactForm
    from guanxi.customers.models import Contact, Customer, CustomerContact

    if not isinstance(obj, Customer):
        return {}
    visible = Contact.objects.restrict(request.user, "view").values("pk")
    links = list(
        CustomerContact.objects.filter(customer=obj, contact__in=visible)
        .select_related("contact")
        .order_by("-is_primary", "contact__name")
    )
    may_change = Customer.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
    if may_change:
        for link in links:
            link.form = ContactLinkForm(link=link, prefix=f"link{link.pk}")  # type: ignore[attr-defined]
    return {
        "contact_links": links,
        "can_add_contact": can(request.user, "add", Contact),
        "can_edit_contacts": may_change,
        "link_form": LinkExistingContactForm(user=request.user, customer=obj) if may_change else None,
    }
