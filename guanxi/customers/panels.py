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


def customer_page_context(request: Any, obj: Any) -> dict[str, Any]:
    """The 360° page's Contacts card and the phone's summary (which reuses the card's contacts)."""
    contacts = customer_contacts_context(request, obj)
    return {**contacts, **customer_summary_context(request, obj, links=contacts.get("contact_links"))}


def customer_summary_context(request: Any, obj: Any, links: list[Any] | None = None) -> dict[str, Any]:
    """What a phone shows first on the 360° page (``customers/customer_summary.html``): level,
    stage, owner, last contacted, the next open task and the main contact with a call button —
    each as the reader may read it — and the sticky action bar's permissions."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.customers.models import Contact, Customer, CustomerContact
    from guanxi.framework import fieldaccess

    if not isinstance(obj, Customer):
        return {}
    user = request.user
    from django.db.models import F

    from guanxi.activities.choices import TaskStatus
    from guanxi.activities.models import FollowUp, Task

    # The soonest due open task, as the activities card orders them (its whole list is below).
    tasks = list(
        Task.objects.filter(customer=obj, status=TaskStatus.OPEN).order_by(
            F("due_at").asc(nulls_last=True), "id"
        )[:1]
    )
    if links is None:
        visible = Contact.objects.restrict(user, "view").values("pk")
        links = list(
            CustomerContact.objects.filter(customer=obj, contact__in=visible)
            .select_related("contact")
            .order_by("-is_primary", "contact__name")[:1]
        )
    main = links[0] if links else None  # primary first, as the Contacts card lists them
    contact = main.contact if main is not None else None
    contact_phone = ""
    if contact is not None:
        for name in ("phone", "mobile"):
            value = getattr(contact, name)
            if value and fieldaccess.shows_as_phone(user, Contact, name):
                contact_phone = value
                break
    own_phone = obj.phone if obj.phone and fieldaccess.shows_as_phone(user, Customer, "phone") else ""

    def shown(name: str) -> Any:
        display = getattr(obj, f"get_{name}_display")()
        return (
            fieldaccess.display(user, Customer, name, display)
            if fieldaccess.visible(user, Customer, name)
            else None
        )

    return {
        "summary": {
            "level": shown("level"),
            "stage": shown("stage"),
            # the field's own labels, so the summary names them as the list and form do
            "level_label": Customer._meta.get_field("level").verbose_name,
            "stage_label": Customer._meta.get_field("stage").verbose_name,
            "last_contacted_label": Customer._meta.get_field("last_contacted_at").verbose_name,
            "next_task": tasks[0] if tasks else None,
            "contact": contact,
            "contact_phone": contact_phone,
            "call_phone": contact_phone or own_phone,
            "can_log": can(user, "add", FollowUp),
            "can_task": can(user, "add", Task),
            "type_id": ContentType.objects.get_for_model(Customer).pk,
        }
    }
