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

    def for_display(self) -> RestrictedQuerySet:
        """The rows with their ``select_related`` records loaded only as far as a list shows
        them: a related model that declares ``display_fields`` (the columns its ``str()`` and
        link read) brings its primary key and those; any other column it is asked for later is
        fetched once for the whole page (``FETCH_PEERS``), never once a row. See
        ``guanxi.framework.loading.display_deferrals``."""
        from django.db.models import FETCH_PEERS

        from guanxi.framework.loading import display_deferrals

        deferred = display_deferrals(self.model, self.query.select_related)
        rows = self.defer(*deferred) if deferred else self
        return cast(RestrictedQuerySet, rows.fetch_mode(FETCH_PEERS))


def model_queryset(model: type[models.Model]) -> RestrictedQuerySet:
    """All rows of ``model`` (a class known only at run time) as a ``RestrictedQuerySet``.

    Every Guanxi model's default manager is ``BaseModel.objects``, built from
    ``RestrictedQuerySet``; the type checker cannot see that through ``type[Model]``.
    """
    return cast(RestrictedQuerySet, model._default_manager.all())


def visible_object(
    user: Any, model: type[models.Model] | None, pk: int, action: str = "view"
) -> models.Model:
    """The row ``pk`` of a model named at run time (URL, content type) if ``user`` may ``action``
    it; ``Http404`` otherwise — also for models outside the access machinery."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    if model is None or not hasattr(model._default_manager, "restrict"):
        raise Http404
    return get_object_or_404(model_queryset(model).restrict(user, action), pk=pk)
