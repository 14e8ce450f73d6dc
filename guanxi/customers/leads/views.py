"""Pages of leads: list, profile, entry with the duplicate check, conversion, the lead pool, bulk actions.

The generic ``EntityViews`` serve list, detail, edit and delete. On top:

* entry (``LeadEditView``): when the new lead matches existing leads, customers or contacts and
  the user did not tick "Create anyway", the form comes back (422) listing the matches, with
  "Link to this customer" for customers the user may change (the lead is created and converted
  into that customer at once);
* ``LeadConvertView``: the Convert page (new customer prefilled from the lead, or an existing
  one the user may change; ownership conflicts explained);
* ``UnassignedLeadsView``: the pool of the user's department, with Claim and Assign;
* the bulk actions "Assign to…" and "Disqualify" on the list's selection.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from guanxi.customers.leads.filtersets import LeadFilterSet
from guanxi.customers.leads.forms import (
    AssignForm,
    ConvertChoiceForm,
    ConvertCustomerForm,
    DisqualifyForm,
    LeadForm,
)
from guanxi.customers.leads.services.assignment import assign_leads_to, claim_lead
from guanxi.customers.leads.services.leads import (
    convert_lead,
    customer_fields_from_lead,
    describe_duplicates,
    disqualify_leads,
    find_lead_duplicates,
)
from guanxi.customers.leads.tables import LeadTable
from guanxi.customers.leads.views_import import LeadImportView
from guanxi.customers.models import Customer, Lead
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.access import can
from guanxi.framework.forms import add_validation_errors, style_widgets
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views import EntityViews
from guanxi.framework.views.base import EntityViewMixin
from guanxi.framework.views.objects import ObjectEditView, entry_checks

PROFILE_FIELDS = (
    "name", "company", "title", "phone", "email", "wechat_id", "province", "city", "source", "status",
    "disqualify_reason", "notes",
)  # fmt: skip
TRACKING_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
    "landing_page",
)


class LeadEditView(ObjectEditView):
    """Create and edit; a new lead is checked for duplicates first (``find_lead_duplicates``)."""

    def render_form(
        self, request: AuthedRequest, form: Any, obj: Any, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "object": obj,
            "is_new": obj.pk is None,
            "next": request.GET.get("next") or request.POST.get("next", ""),
            # the "possible duplicates" panel among leads as the fields are typed (guanxi.dedup);
            # the submit-time check above also looks among customers and contacts. When it has
            # answered (its warning, with "Create anyway" and "Link"), the panel is left out: it
            # would ask again on load with the same values and list the same leads a second time.
            "entry_checks": (
                [] if extra.get("duplicates") else entry_checks(request.user, self.model, obj, form)
            ),
            **extra,
        }
        return render(request, "customers/leads/lead_edit.html", context, status=status)

    def post(self, request: AuthedRequest, pk: int | None = None) -> HttpResponse:
        if pk is not None:
            return super().post(request, pk)
        form = self.config.form(request.POST, request.FILES, instance=Lead(), user=request.user)
        if not form.is_valid() or form.cleaned_data.get("confirm_duplicate"):
            return super().post(request, pk)  # field errors, or the user confirmed: the generic path
        lead = form.instance  # cleaned: E.164 phone, lower-case email
        matches = find_lead_duplicates(
            phone=lead.phone, email=lead.email, company=lead.company, name=lead.name
        )
        if not matches:
            return super().post(request, pk)
        duplicates = describe_duplicates(matches, request.user)
        link_to = request.POST.get("link_customer")
        if link_to and any(d.linkable and str(d.pk) == link_to for d in duplicates):
            return self.create_and_link(request, form, int(link_to))
        return self.render_form(request, form, Lead(), status=422, duplicates=duplicates)

    def create_and_link(self, request: AuthedRequest, form: Any, customer_pk: int) -> HttpResponse:
        """ "Link to this customer": the lead is created and converted into that customer at once."""
        customer = get_object_or_404(Customer.objects.restrict(request.user, "change"), pk=customer_pk)
        try:
            with transaction.atomic():
                lead = form.save()
                convert_lead(lead, actor=request.user, customer=customer)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_form(request, form, Lead(), status=422)
        messages.success(
            request, _("The lead was added to “%(customer)s” as a contact.") % {"customer": customer}
        )
        return HttpResponseRedirect(customer.get_absolute_url())


class LeadViews(EntityViews):
    model = Lead
    filterset = LeadFilterSet
    form = LeadForm
    table = LeadTable
    detail_fields = PROFILE_FIELDS
    detail_template = "customers/leads/lead_detail.html"
    bulk_edit_fields = ("source", "province")  # status moves through its own actions (convert, disqualify)
    # Leads have their own import (views_lead_import): it applies the assignment rules and flags
    # duplicates instead of refusing them, which the generic form-driven import cannot.
    importable = False

    @classmethod
    def urls(cls) -> list[Any]:
        kw = {"config": cls}
        patterns = super().urls()
        # The duplicate-checking create/edit view replaces the generic one (same names and URLs).
        replaced = {"lead_add", "lead_edit", "lead_import"}
        patterns = [p for p in patterns if p.name not in replaced]
        return [
            path("lead-pool/", UnassignedLeadsView.as_view(**kw), name="lead_unassigned"),
            path("leads/import/", LeadImportView.as_view(**kw), name="lead_import"),
            path("leads/bulk-assign/", LeadBulkAssignView.as_view(**kw), name="lead_bulk_assign"),
            path("leads/bulk-disqualify/", LeadBulkDisqualifyView.as_view(**kw), name="lead_bulk_disqualify"),
            path("leads/add/", LeadEditView.as_view(**kw), name="lead_add"),
            path("leads/<int:pk>/edit/", LeadEditView.as_view(**kw), name="lead_edit"),
            path("leads/<int:pk>/convert/", LeadConvertView.as_view(**kw), name="lead_convert"),
            path("leads/<int:pk>/claim/", LeadClaimView.as_view(**kw), name="lead_claim"),
            *patterns,
        ]


class LeadConvertView(EntityViewMixin, View):
    """Convert a lead into a customer (new or existing) and a contact."""

    action = "change"

    def get_lead(self, pk: int) -> Lead:
        return get_object_or_404(self.restricted("change"), pk=pk)

    def render_page(
        self,
        request: AuthedRequest,
        lead: Lead,
        choice: Any,
        customer_form: Any,
        status: int = 200,
        **extra: Any,
    ) -> HttpResponse:
        style_widgets(customer_form)
        style_widgets(choice)
        choice.fields["mode"].widget.attrs["class"] = "checkbox-list convert-mode"  # radios, not an input box
        context = {
            **self.base_context(),
            "object": lead,
            "choice": choice,
            "customer_form": customer_form,
            "convert_url": request.path,
            **extra,
        }
        return render(request, "customers/leads/lead_convert.html", context, status=status)

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        lead = self.get_lead(pk)
        if not lead.is_open:
            messages.error(request, _("Only open leads can be converted."))
            return HttpResponseRedirect(lead.get_absolute_url())
        customer_form = ConvertCustomerForm(initial=customer_fields_from_lead(lead), prefix="customer")
        return self.render_page(request, lead, ConvertChoiceForm(user=request.user), customer_form)

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        lead = self.get_lead(pk)
        choice = ConvertChoiceForm(request.POST, user=request.user)
        customer_form = ConvertCustomerForm(request.POST, prefix="customer")
        if not choice.is_valid():
            return self.render_page(request, lead, choice, customer_form, status=422)
        existing = choice.cleaned_data["customer"] if choice.cleaned_data["mode"] == "existing" else None
        fields = None
        if existing is None:
            if not customer_form.is_valid():
                return self.render_page(request, lead, choice, customer_form, status=422)
            fields = {name: getattr(customer_form.instance, name) for name in ConvertCustomerForm.Meta.fields}
        try:
            customer, _contact = convert_lead(
                lead,
                actor=request.user,
                customer=existing,
                customer_fields=fields,
                create_contact=choice.cleaned_data["create_contact"],
                extras={name: choice.cleaned_data.get(name) for name in choice.extra_names},
            )
        except OwnershipConflict as conflict:
            from guanxi.customers.services.team_requests import conflict_ways

            customer_form.add_error(None, conflict.messages[0])
            ways = conflict_ways(conflict.matches, request.user, lead=lead)
            return self.render_page(request, lead, choice, customer_form, status=409, conflict_ways=ways)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            extra_errors = {
                field: errors
                for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else ())
                if field in choice.extra_names
            }
            if extra_errors:  # a conversion extra (the deal) refused its values: shown at its fields
                for field, errors in extra_errors.items():
                    for error in errors:
                        choice.add_error(field, error)
            else:
                add_validation_errors(customer_form, exc)
            return self.render_page(request, lead, choice, customer_form, status=422)
        messages.success(request, _("Converted the lead into customer “%(name)s”.") % {"name": customer})
        return HttpResponseRedirect(customer.get_absolute_url())


class UnassignedLeadsView(EntityViewMixin, View):
    """Open leads without an owner the user may see (their department's pool), newest first."""

    action = "view"

    def get(self, request: AuthedRequest) -> HttpResponse:
        rows = (
            self.restricted("view")
            .filter(owner__isnull=True, status__in=Lead.OPEN_STATUSES)
            .select_related("department", "capture_form")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        user = request.user
        context = {
            **self.base_context(),
            "page": page,
            "can_claim": can(user, "claim", Lead),
            "can_assign": can(user, "assign", Lead),
            "assign_form": AssignForm(user=user) if can(user, "assign", Lead) else None,
        }
        return render(request, "customers/leads/unassigned.html", context)


class LeadClaimView(EntityViewMixin, View):
    """A rep takes one lead from the pool (POST)."""

    action = "claim"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        lead = get_object_or_404(self.restricted("claim"), pk=pk)
        try:
            claim_lead(lead, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(reverse("customers:lead_unassigned"))
        messages.success(request, _("“%(name)s” is yours now.") % {"name": lead})
        return HttpResponseRedirect(lead.get_absolute_url())


class LeadBulkAssignView(EntityViewMixin, View):
    """ "Assign to…": choose the user for the selected leads, then hand them all over (or none)."""

    action = "assign"

    def post(self, request: AuthedRequest) -> HttpResponse:
        list_url = reverse("customers:lead_list")
        selected = list(self.restricted("assign").filter(pk__in=request.POST.getlist("pk")).order_by("pk"))
        if not selected:
            messages.warning(request, _("Select at least one lead you may assign."))
            return HttpResponseRedirect(list_url)
        form = AssignForm(request.POST if "_apply" in request.POST else None, user=request.user)
        context = {
            **self.base_context(),
            "form": form,
            "rows": selected,
            "action_url": reverse("customers:lead_bulk_assign"),
            "title": _("Assign leads"),
            "button": _("Assign"),
        }
        if "_apply" not in request.POST or not form.is_valid():
            return render(
                request, "customers/leads/bulk_action.html", context, status=422 if form.is_bound else 200
            )
        owner = form.cleaned_data["owner"]
        try:
            assign_leads_to(selected, owner, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return render(request, "customers/leads/bulk_action.html", context, status=422)
        messages.success(
            request, _("Assigned %(count)d leads to %(user)s.") % {"count": len(selected), "user": owner}
        )
        return HttpResponseRedirect(list_url)


class LeadBulkDisqualifyView(EntityViewMixin, View):
    """ "Disqualify": one reason for every selected open lead; all or nothing."""

    action = "change"

    def post(self, request: AuthedRequest) -> HttpResponse:
        list_url = reverse("customers:lead_list")
        selected = list(self.restricted("change").filter(pk__in=request.POST.getlist("pk")).order_by("pk"))
        if not selected:
            messages.warning(request, _("Select at least one lead you may edit."))
            return HttpResponseRedirect(list_url)
        form = DisqualifyForm(request.POST if "_apply" in request.POST else None)
        context = {
            **self.base_context(),
            "form": form,
            "rows": selected,
            "action_url": reverse("customers:lead_bulk_disqualify"),
            "title": _("Disqualify leads"),
            "button": _("Disqualify"),
        }
        if "_apply" not in request.POST or not form.is_valid():
            return render(
                request, "customers/leads/bulk_action.html", context, status=422 if form.is_bound else 200
            )
        try:
            disqualify_leads(selected, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return render(request, "customers/leads/bulk_action.html", context, status=422)
        messages.success(request, _("Disqualified %(count)d leads.") % {"count": len(selected)})
        return HttpResponseRedirect(list_url)
