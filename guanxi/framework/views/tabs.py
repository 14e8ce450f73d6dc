"""History and timeline tabs of a detail page (HTMX partials, full pages without HTMX)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.dateparse import parse_datetime
from django.views import View

from guanxi.framework.history import describe_changes, label_changes
from guanxi.framework.http import AuthedRequest
from guanxi.framework.timeline import changes_for, timeline
from guanxi.framework.views.base import EntityViewMixin


class ObjectHistoryView(EntityViewMixin, View):
    """Every change of the record (and its children) as readable before → after diffs."""

    action = "view"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted(), pk=pk)
        page = Paginator(changes_for(obj).order_by("-time", "-id"), 25).get_page(request.GET.get("page"))
        changes = label_changes(request.user, list(page.object_list))
        described = describe_changes(changes, request.user)
        rows = [(change, described.get(change.pk, [])) for change in changes]
        template = "generic/history.html"
        if request.htmx and not request.htmx.boosted:
            template += "#history"
        return render(request, template, {**self.base_context(), "object": obj, "page": page, "rows": rows})


class ObjectTimelineView(EntityViewMixin, View):
    """The merged timeline, 20 entries a page, "older" loads the next page in place."""

    action = "view"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted(), pk=pk)
        before = parse_datetime(request.GET.get("before", "") or "") if request.GET.get("before") else None
        entries, cursor = timeline(obj, request.user, before=before)
        template = "generic/timeline.html"
        if request.htmx and not request.htmx.boosted:
            template += "#entries"
        return render(
            request, template, {**self.base_context(), "object": obj, "entries": entries, "cursor": cursor}
        )
