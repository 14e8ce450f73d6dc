"""Generic detail, create/edit and delete views (full page, or an HTMX partial of the same URL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from guanxi.framework import fieldaccess
from guanxi.framework.access import can
from guanxi.framework.customfields import display_value
from guanxi.framework.forms import add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.framework.panels import detail_context
from guanxi.framework.views.base import EntityViewMixin
from guanxi.framework.write import OutsideScope, StaleWrite, delete_object, ensure_visible

# What a module shows inside an entity's create/edit form while it is being filled in (the
# duplicate engine's "possible duplicates"): ``check(user, model, obj, form)`` returns the panel's
# context — ``template``, and ``after``, the field the panel follows — or None for no panel.
EntryCheck = Callable[[Any, Any, Any, Any], dict[str, Any] | None]
_ENTRY_CHECKS: list[EntryCheck] = []


def register_entry_check(check: EntryCheck) -> EntryCheck:
    """Hook for a module's panel in the generic edit form (``generic/edit.html``)."""
    _ENTRY_CHECKS.append(check)
    return check


def entry_checks(user: Any, model: Any, obj: Any, form: Any) -> list[dict[str, Any]]:
    """The panels of the form ``form`` editing ``obj`` (bound when re-shown with the user's values)."""
    return [panel for check in _ENTRY_CHECKS if (panel := check(user, model, obj, form)) is not None]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class ObjectDetailView(EntityViewMixin, View):
    """Profile panels, custom fields, tags, attachments, and timeline/history tabs."""

    action = "view"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted(), pk=pk)
        user, model = request.user, self.model
        rules = fieldaccess.rules_for(user, model)
        context = {
            **self.base_context(),
            "object": obj,
            "fields": self.config.detail_field_values(obj, user),
            "custom_fields": [
                (
                    cf,
                    fieldaccess.display(
                        user,
                        model,
                        f"cf_{cf.name}",
                        display_value(cf, (obj.custom_field_data or {}).get(cf.name)),
                    ),
                )
                for cf in self.config.custom_fields()
                if rules.get(f"cf_{cf.name}") != fieldaccess.HIDDEN
            ],
            "can_reveal": any(r == fieldaccess.MASKED for r in rules.values()) and can(user, "reveal", model),
            "can_change_object": not self.config.read_only
            and self.restricted("change").filter(pk=obj.pk).exists(),
            "can_delete_object": not self.config.read_only
            and self.restricted("delete").filter(pk=obj.pk).exists(),
        }
        context.update(detail_context(request, obj))  # cards contributed by modules (e.g. the team)
        return render(request, self.config.detail_template, context)


class ObjectEditView(EntityViewMixin, View):
    """Create (no pk) or edit a row through the entity's form.

    The save runs in a transaction; afterwards the row must still be inside what the writer may
    view (``restrict(user, "view")``), otherwise everything is rolled back with a clear message —
    nobody can move a record out of their own reach by accident.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.action = "change" if kwargs.get("pk") else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk: int | None) -> Any:
        if pk is None:
            return self.model()
        return get_object_or_404(self.restricted("change"), pk=pk)

    def render_form(self, request: AuthedRequest, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        template = self.config.edit_template
        if request.htmx and not request.htmx.boosted:
            template += "#form"
        context = {
            **self.base_context(),
            "form": form,
            "object": obj,
            "is_new": obj.pk is None,
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "entry_checks": entry_checks(request.user, self.model, obj, form),
        }
        return render(request, template, context, status=status)

    def get(self, request: AuthedRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        initial = {k: v for k, v in request.GET.items() if k in self.config.form.base_fields}
        return self.render_form(
            request, self.config.form(instance=obj, initial=initial, user=request.user), obj
        )

    def post(self, request: AuthedRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.config.form(request.POST, request.FILES, instance=obj, user=request.user)
        if not form.is_valid():
            return self.render_form(request, form, obj, status=422 if request.htmx else 200)
        is_new = obj.pk is None
        try:
            with transaction.atomic():
                saved = form.save()  # through the write path (EntityForm.save)
                ensure_visible(saved, request.user)
        except OutsideScope as refused:
            # said at the input that caused it (the owner…), and swapped in like any invalid form:
            # a bare 403 would leave an htmx form unchanged under a generic "try again" toast
            field = refused.field if refused.field in form.fields else None
            form.add_error(field, str(refused))
            return self.render_form(request, form, obj, status=422 if request.htmx else 403)
        except StaleWrite as stale:
            form.add_error(None, str(stale))
            return self.render_form(request, form, obj, status=409)
        except ValidationError as refused:  # a rule of the write path (department follows owner…)
            add_validation_errors(form, refused)
            return self.render_form(request, form, obj, status=422 if request.htmx else 200)
        # one whole sentence per case: word order differs between languages
        done = _("Created %(type)s “%(name)s”.") if is_new else _("Saved %(type)s “%(name)s”.")
        messages.success(request, done % {"type": self.model._meta.verbose_name, "name": saved})
        target = _safe_next(request, saved.get_absolute_url() or reverse(self.url_name("list")))
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class ObjectDeleteView(EntityViewMixin, View):
    """Confirm, then delete; a row other records still need is refused with the reason."""

    action = "delete"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted(), pk=pk)
        return render(request, "generic/delete.html", {**self.base_context(), "object": obj})

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted(), pk=pk)
        label = fieldaccess.label(request.user, obj)
        try:
            delete_object(obj, actor=request.user)
        except (ProtectedError, RestrictedError):
            messages.error(
                request,
                _("“%(name)s” is still used by other records and cannot be deleted.") % {"name": label},
            )
            return HttpResponseRedirect(obj.get_absolute_url() or reverse(self.url_name("list")))
        except ValidationError as error:  # a model refusing its own deletion says why
            for text in error.messages:
                messages.error(request, text)
            return HttpResponseRedirect(obj.get_absolute_url() or reverse(self.url_name("list")))
        messages.success(request, _("Deleted “%(name)s”.") % {"name": label})
        return HttpResponseRedirect(_safe_next(request, reverse(self.url_name("list"))))


def deny_if_not(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("You do not have permission to do this."))
