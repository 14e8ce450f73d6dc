"""The permission-aware queryset every Guanxi model's manager is built on."""

from __future__ import annotations

from typing import Any

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A QuerySet with ``restrict(user, action)``: the single access choke point.

    Lists, detail pages, search, pickers, exports, reports, the API and the timeline all start
    from ``Model.objects.restrict(request.user, "view")``; writes start from the same call with
    ``"change"`` or ``"delete"``. The rules themselves live in ``guanxi.framework.access``.
    """

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        from guanxi.framework.access import get_policy

        return get_policy().filter_queryset(user, self, action)
