"""Small pages of the customers app: the Contacts card's actions, the region options, settings.

Thin views: rows come through ``restrict()``, changes go through ``services.customers``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.customers import regions
from guanxi.customers.forms import ContactLinkForm, LinkExistingContactForm
from guanxi.customers.models import Customer, CustomerContact, CustomerSettings
from guanxi.customers.panels import customer_contacts_context
from guanxi.customers.services import customers as services
from guanxi.framework.access import can
from guanxi.framework.forms import style_widgets
from guanxi.framework.http import AuthedRequest

# -- the Contacts card -----------------------------------------------------------------------------


def _card(request: AuthedRequest, customer: Customer, errors: list[str] | None = None) -> HttpResponse:
    """The re-rendered card (HTMX), or back to the customer's page with the messages."""
    if request.htmx:
        context = {
            "object": customer,
            **customer_contacts_context(request, customer),
            "card_errors": errors or [],
        }
        return render(request, "customers/contacts_card.html", context, status=422 if errors else 200)
    for text in errors or []:
        messages.error(request, text)
    return HttpResponseRedirect(customer.get_absolute_url())


def _customer(request: AuthedRequest, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)


def _errors(error: ValidationError) -> list[str]:
    return (
        [text for texts in error.message_dict.values() for text in texts]
        if hasattr(error, "error_dict")
        else error.messages
    )


def _form_errors(form: Any) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


@login_required
def customer_contacts(request: AuthedRequest, pk: int) -> HttpResponse:
    """The card alone (to refresh it)."""
    return _card(request, _customer(request, pk))


@login_required
@require_POST
def customer_contact_link(request: AuthedRequest, pk: int) -> HttpResponse:
    """Link an existing contact to this customer."""
    customer = _customer(request, pk)
    form = LinkExistingContactForm(request.POST, user=request.user, customer=customer)
    if not form.is_valid():
        return _card(request, customer, _form_errors(form))
    try:
        services.link_contact(
            actor=request.user,
            customer=customer,
            contact=form.cleaned_data["contact"],
            role=form.cleaned_data["role"],
            is_primary=form.cleaned_data["is_primary"],
        )
    except ValidationError as error:
        return _card(request, customer, _errors(error))
    return _card(request, customer)


def _link(customer: Customer, link_pk: int) -> CustomerContact:
    return get_object_or_404(
        CustomerContact.objects.select_related("customer", "contact"), pk=link_pk, customer=customer
    )


@login_required
@require_POST
def customer_contact_edit(request: AuthedRequest, pk: int, link_pk: int) -> HttpResponse:
    """Change a link's role or make it the primary contact (the flag moves)."""
    customer = _customer(request, pk)
    link = _link(customer, link_pk)
    form = ContactLinkForm(request.POST, prefix=f"link{link.pk}", link=link)
    if not form.is_valid():
        return _card(request, customer, _form_errors(form))
    try:
        services.update_contact_link(
            actor=request.user,
            link=link,
            role=form.cleaned_data["role"],
            is_primary=form.cleaned_data["is_primary"],
        )
    except ValidationError as error:
        return _card(request, customer, _errors(error))
    return _card(request, customer)


@login_required
@require_POST
def customer_contact_unlink(request: AuthedRequest, pk: int, link_pk: int) -> HttpResponse:
    """Remove a contact from this customer (the contact stays)."""
    customer = _customer(request, pk)
    services.unlink_contact(actor=request.user, link=_link(customer, link_pk))
    return _card(request, customer)


# -- region options (the cascading selects) --------------------------------------------------------


@login_required
@require_GET
def region_options(request: AuthedRequest) -> HttpResponse:
    """``<option>``s of the regions under ``?parent=`` (or the select that asked: province → cities,
    city → districts); no parent: the provinces. A province change also empties the district list."""
    parent = (
        request.GET.get("parent")
        or request.GET.get("region_city")
        or request.GET.get("region_province")
        or ""
    )
    node = regions.get(parent) if parent else None
    if parent and node is None:
        return HttpResponse(_("Unknown region code."), status=404, content_type="text/plain; charset=utf-8")
    options = mark_safe('<option value="">—</option>') + format_html_join(
        "", '<option value="{}">{}</option>', ((r.code, r.name) for r in regions.children_of(parent or None))
    )
    if node is not None and node.level == "province":
        options += mark_safe(
            '<select id="id_region_district" hx-swap-oob="innerHTML"><option value="">—</option></select>'
        )
    return HttpResponse(options)


# -- customer settings (administrators) -------------------------------------------------------------


@login_required
def customer_settings(request: AuthedRequest) -> HttpResponse:
    """The 撞单 policy page under Settings."""
    from django import forms

    if not can(request.user, "change", CustomerSettings):
        raise PermissionDenied(_("Only administrators may change the customer settings."))
    current = CustomerSettings.current()

    class SettingsForm(forms.Form):
        conflict_policy = forms.ChoiceField(
            label=CustomerSettings._meta.get_field("conflict_policy").verbose_name,
            choices=CustomerSettings.ConflictPolicy.choices,
        )

    form = SettingsForm(request.POST or None, initial={"conflict_policy": current.conflict_policy})
    style_widgets(form)
    if request.method == "POST" and form.is_valid():
        services.update_customer_settings(
            actor=request.user, conflict_policy=form.cleaned_data["conflict_policy"]
        )
        messages.success(request, _("Customer settings saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "customers/settings.html", {"form": form, "settings": current})
