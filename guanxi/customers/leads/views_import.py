"""The lead import page: upload a CSV or Excel file (``services.lead_import`` does the work)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from guanxi.customers.leads.forms import LeadImportForm
from guanxi.framework.forms import add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin


class LeadImportView(EntityViewMixin, View):
    """Upload a spreadsheet of leads: all rows are valid and created, or none is (errors per row)."""

    action = "import"
    extra_actions = ("add",)

    def render_page(self, request: AuthedRequest, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        from guanxi.customers.leads.services.imports import HEADERS

        context = {**self.base_context(), "form": form, "headers": HEADERS, **extra}
        return render(request, "customers/leads/lead_import.html", context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.render_page(request, LeadImportForm())

    def post(self, request: AuthedRequest) -> HttpResponse:
        from guanxi.customers.leads.services.imports import ImportErrors, import_leads, read_rows

        form = LeadImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=422)
        try:
            rows = read_rows(form.cleaned_data["file"])
            result = import_leads(rows, actor=request.user, assign_to_me=form.cleaned_data["assign"] == "me")
        except ImportErrors as exc:
            row_errors = [
                (number, field, message)
                for number, fields in sorted(exc.rows.items())
                for field, messages_ in fields.items()
                for message in messages_
            ]
            form.add_error(None, exc.messages[0])
            return self.render_page(request, form, status=422, row_errors=row_errors[:200])
        except ValidationError as exc:
            add_validation_errors(form, exc)
            return self.render_page(request, form, status=422)
        messages.success(
            request,
            _("Imported %(count)d leads (%(duplicates)d possible duplicates).")
            % {"count": len(result.leads), "duplicates": result.duplicates},
        )
        return HttpResponseRedirect(reverse("customers:lead_list"))
