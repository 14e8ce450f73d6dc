"""Reveal one masked value to a user whose role grants the ``reveal`` action; always audited."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.framework import fieldaccess
from guanxi.framework.access import can
from guanxi.framework.customfields import display_value, fields_for
from guanxi.framework.http import AuthedRequest
from guanxi.framework.querysets import visible_object


@login_required
@require_POST
def reveal_field(
    request: AuthedRequest, app_label: str, model_name: str, pk: int, field: str
) -> HttpResponse:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    obj = visible_object(request.user, model, pk)
    if fieldaccess.rules_for(request.user, model).get(field) != fieldaccess.MASKED:
        raise Http404  # only masked fields are revealed; hidden ones stay hidden
    if not can(request.user, "reveal", model):
        raise PermissionDenied(_("You may not reveal masked values."))
    if field.startswith("cf_"):
        cf = next((c for c in fields_for(model) if c.name == field[3:]), None)
        data = getattr(obj, "custom_field_data", None) or {}
        value = display_value(cf, data.get(field[3:])) if cf else ""
    else:
        value = getattr(obj, field, "")
    from guanxi.core.models import AuditEvent

    AuditEvent.objects.create(
        user=request.user,
        username=request.user.get_username(),
        event=AuditEvent.EventChoices.REVEAL,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        detail={"model": model._meta.label, "pk": obj.pk, "field": field},
    )
    return HttpResponse(format_html('<span class="revealed">{}</span>', value))
