"""Bulk edit and bulk delete of selected rows: all rows change, or none do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from guanxi.framework.forms import BulkEditForm, _to_json, add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin
from guanxi.framework.write import OutsideScope, delete_objects, ensure_visible, save_object


class BulkEditView(EntityViewMixin, View):
    """Set fields, tags and custom fields on every selected row in one transaction."""

    action = "change"

    def form(self, data: Any) -> BulkEditForm:
        return BulkEditForm(
            self.model,
            list(self.config.bulk_edit_fields),
            data,
            queryset=self.restricted("change"),
            user=self.request.user,
        )

    def post(self, request: AuthedRequest) -> HttpResponse:
        list_url = reverse(self.url_name("list"))
        form = self.form(request.POST)
        if "_apply" not in request.POST:
            # First step, from the list's selection: show the form with the chosen rows.
            ids = request.POST.getlist("pk")
            selected = self.restricted("change").filter(pk__in=ids)
            if not selected:
                messages.warning(request, _("Select at least one row you may edit."))
                return HttpResponseRedirect(list_url)
            form = self.form({"pk": [r.pk for r in selected]})
            return render(
                request, "generic/bulk_edit.html", {**self.base_context(), "form": form, "rows": selected}
            )
        if not form.is_valid():
            rows = form.cleaned_data.get("pk") or []
            return render(
                request,
                "generic/bulk_edit.html",
                {**self.base_context(), "form": form, "rows": rows},
                status=422,
            )
        rows = list(form.cleaned_data["pk"])
        try:
            with transaction.atomic():
                for obj in rows:
                    self.apply(obj, form)
                ensure_visible(rows, request.user)
        except OutsideScope as refused:
            if refused.field not in form.fields:
                messages.error(request, str(refused))
                return HttpResponseRedirect(list_url)
            form.add_error(refused.field, str(refused))  # at the input: the owner they may not choose
            return render(
                request,
                "generic/bulk_edit.html",
                {**self.base_context(), "form": form, "rows": rows},
                status=422,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
            return render(
                request,
                "generic/bulk_edit.html",
                {**self.base_context(), "form": form, "rows": rows},
                status=422,
            )
        messages.success(request, _("Updated %(count)d records.") % {"count": len(rows)})
        return HttpResponseRedirect(list_url)

    def apply(self, obj: Any, form: BulkEditForm) -> None:
        changed: list[str] = []
        for name in self.config.bulk_edit_fields:
            value = form.cleaned_data.get(name)
            if value not in (None, ""):
                setattr(obj, name, value)
                changed.append(name)
        if form.custom_fields:
            data = dict(obj.custom_field_data or {})
            for cf in form.custom_fields:
                value = form.cleaned_data.get(f"cf_{cf.name}")
                if value not in (None, "", []):
                    data[cf.name] = _to_json(value)
                    changed.append("custom_field_data")
            obj.custom_field_data = data
        tags = None
        add, remove = form.cleaned_data.get("add_tags"), form.cleaned_data.get("remove_tags")
        if add or remove:
            current = {t.pk: t for t in obj.tag_list}
            for tag in add or []:
                current[tag.pk] = tag
            for tag in remove or []:
                current.pop(tag.pk, None)
            tags = list(current.values())
        if changed or tags is not None:
            # the visibility of all rows is checked once, after the last one is saved
            save_object(obj, actor=self.request.user, validate=bool(changed), check_visible=False, tags=tags)


class BulkDeleteView(EntityViewMixin, View):
    """Confirm, then delete every selected row; if any is still referenced, none is deleted."""

    action = "delete"

    def post(self, request: AuthedRequest) -> HttpResponse:
        list_url = reverse(self.url_name("list"))
        rows = list(self.restricted("delete").filter(pk__in=request.POST.getlist("pk")))
        if not rows:
            messages.warning(request, _("Select at least one row you may delete."))
            return HttpResponseRedirect(list_url)
        if "_confirm" not in request.POST:
            return render(request, "generic/bulk_delete.html", {**self.base_context(), "rows": rows})
        if len(rows) > settings.RECYCLE_BIN_JOB_ROWS:
            return self.delete_as_job(request, rows)
        try:
            delete_objects(rows, actor=request.user)
        except (ProtectedError, RestrictedError):
            messages.error(
                request, _("Some of these records are still used by other records; nothing was deleted.")
            )
            return HttpResponseRedirect(list_url)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return HttpResponseRedirect(list_url)
        messages.success(request, _("Deleted %(count)d records.") % {"count": len(rows)})
        return HttpResponseRedirect(list_url)

    def delete_as_job(self, request: AuthedRequest, rows: list[Any]) -> HttpResponse:
        """Many rows: one background job (``guanxi.recyclebin.tasks.delete_records``) with a
        progress bar; rows still used by other records are skipped and counted there."""
        from guanxi.framework.i18n import deferred
        from guanxi.framework.jobs import start_job
        from guanxi.recyclebin.tasks import delete_records

        name = deferred(
            gettext_noop("Delete %(count)d %(type)s"),
            count=len(rows),
            type=self.model._meta.verbose_name_plural,
        )
        job = start_job(
            name,
            delete_records,
            user=request.user,
            params={"model": self.model._meta.label_lower, "ids": [row.pk for row in rows]},
        )
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))
