"""The permission-aware queryset every Guanxi model's manager is built on."""

from __future__ import annotations

from typing import Any, cast

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


def model_queryset(model: type[models.Model]) -> RestrictedQuerySet:
    """All rows of ``model`` (a class known only at run time) as a ``RestrictedQuerySet``.

    Every Guanxi model's default manager is ``BaseModel.objects``, built from
    ``RestrictedQuerySet``; the type checker cannot see that through ``type[Model]``.
    """
    return cast(RestrictedQuerySet, model._default_manager.all())
