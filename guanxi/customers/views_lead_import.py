"""The lead import page: upload a CSV or Excel file (``services.lead_import`` does the work)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guanxi.framework.forms import style_widgets
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin


class LeadImportForm(forms.Form):
    CHOICES = (
        ("me", gettext_lazy("Assign them to me")),
        ("rules", gettext_lazy("Use the assignment rules (the rest wait in my department's pool)")),
    )

    file = forms.FileField(label=gettext_lazy("CSV or Excel file"))
    assign = forms.ChoiceField(
        choices=CHOICES, initial="me", widget=forms.RadioSelect, label=gettext_lazy("Owner")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["assign"].widget.attrs["class"] = "checkbox-list"


class LeadImportView(EntityViewMixin, View):
    """Upload a spreadsheet of leads: all rows are valid and created, or none is (errors per row)."""

    action = "import"
    extra_actions = ("add",)

    def render_page(self, request: AuthedRequest, form: Any, status: int = 200, **extra: Any) -> HttpResponse:
        from guanxi.customers.services.lead_import import HEADERS

        context = {**self.base_context(), "form": form, "headers": HEADERS, **extra}
        return render(request, "customers/leads/lead_import.html", context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.render_page(request, LeadImportForm())

    def post(self, request: AuthedRequest) -> HttpResponse:
        from guanxi.customers.services.lead_import import ImportErrors, import_leads, read_rows

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
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.render_page(request, form, status=422)
        messages.success(
            request,
            _("Imported %(count)d leads (%(duplicates)d possible duplicates).")
            % {"count": len(result.leads), "duplicates": result.duplicates},
        )
        return HttpResponseRedirect(reverse("customers:lead_list"))
