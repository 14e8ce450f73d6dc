"""``/data-quality/``: the data-quality report (guanxi/framework/dataquality.py) for administrators
and team managers, over the records their data scope lets them see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanxi.framework.http import AuthedRequest

STALE_CHOICES = (30, 60, 90, 180, 365)


@require_GET
@login_required
def data_quality(request: AuthedRequest) -> HttpResponse:
    from guanxi.framework.dataquality import DEFAULT_STALE_DAYS, entity_report, may_see_report, report_models

    if not may_see_report(request.user):
        raise PermissionDenied(_("The data-quality report is for administrators and team managers."))
    try:
        stale_days = int(request.GET.get("stale_days", DEFAULT_STALE_DAYS))
    except ValueError:
        stale_days = DEFAULT_STALE_DAYS
    if not 1 <= stale_days <= 3650:
        stale_days = DEFAULT_STALE_DAYS
    entities = report_models(request.user)
    chosen = request.GET.get("entity", "")
    if chosen:
        entities = [e for e in entities if e.label == chosen] or entities
    reports = [r for r in (entity_report(request.user, e, stale_days=stale_days) for e in entities) if r]
    return render(
        request,
        "framework/data_quality.html",
        {
            "reports": reports,
            "stale_days": stale_days,
            "stale_choices": sorted({*STALE_CHOICES, stale_days}),
        },
    )
