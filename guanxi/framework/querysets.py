"""The permission-aware queryset every Guanxi model's manager is built on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, models
from django.db.models.expressions import RawSQL


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


_ONE_PARAMETER_FROM = 50  # values: below, a plain ``IN (%s, …)`` costs nothing worth saving


class _AnyOf(models.Lookup):
    """``column = ANY(%s::type[])`` (PostgreSQL): one array parameter. Unlike ``IN (SELECT
    unnest(…))`` it stays an index condition inside an ``OR`` (a bitmap scan per branch)."""

    lookup_name = "any_of"  # not registered: built by ``values_in`` only
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: list[Any], kind: str) -> None:
        super().__init__(lhs, rhs)
        self.kind = kind

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{self.kind}[])", (*params, self.rhs)


def values_in(model: type[models.Model], name: str, values: Iterable[Any]) -> models.Q:
    """``Q(<name>__in=values)`` with the values bound as one parameter: an array on PostgreSQL
    (``= ANY(%s::type[])``), a JSON list on SQLite (``IN (SELECT value FROM
    json_each(%s))``). A plain ``__in`` of thousands of values (a bulk write's new keys, an
    import chunk's phones) prepares every value through the field and the driver converts a
    statement of thousands of placeholders — more time than the query (and SQLite caps the
    placeholders). ``values`` are database-ready: integers or text. A short list stays a plain
    ``__in`` (the single writes' statements as they were)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    listed = list(values)
    if len(listed) < _ONE_PARAMETER_FROM:
        return models.Q(**{f"{name}__in": listed})
    kind = field.db_type(connection)
    if connection.vendor == "postgresql" and kind:
        return models.Q(_AnyOf(models.F(name), listed, kind))
    if connection.vendor == "sqlite":
        return models.Q(**{f"{name}__in": RawSQL("SELECT value FROM json_each(%s)", [json.dumps(listed)])})
    return models.Q(**{f"{name}__in": listed})
