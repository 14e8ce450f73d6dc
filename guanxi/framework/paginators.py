"""The list pager: an exact row count up to a cap, "10,000+" beyond it.

At a million rows the pager's exact ``COUNT(*)`` is the most expensive query of a list page — it
must visit every visible row, while the page itself reads 50 through an index. Nobody pages to
row 600,000, and "10,000+ customers" tells the reader what they need (narrow the filters), so
the count stops at ``cap + 1`` rows: ``SELECT COUNT(*) FROM (SELECT … LIMIT 10001)``. Below
the cap nothing changes. Beyond it the pager keeps working: pages past the cap are served while
rows exist, and "Next" shows while a further row does (one bounded probe).

Every page is read in a total order (``stable_order``): the primary key is added as the last sort
key, so rows sharing a sort value (``level``, ``status``) are neither skipped nor repeated from
one page to the next — an SQL ``ORDER BY`` with ties leaves their order to the plan, which may
differ per ``OFFSET``. The API's pager (``guanxi.framework.api.pagination``) uses it too.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import models
from django.db.models.expressions import F, OrderBy
from django.utils.formats import number_format

COUNT_CAP = 10_000


def stable_order(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` in a total order: its ordering (explicit, else the model's ``Meta.ordering``)
    with the primary key added last, in the direction of the last key (``level`` → ``level, pk``;
    ``-created_at`` → ``-created_at, -pk``). Unordered rows are ordered by ``pk``.

    Unchanged when the order already ends in a unique key, is random, or cannot be extended
    (sliced or combined queries, or DISTINCT over ``values()`` where an extra sort column would
    change which rows are distinct). The pk in the same direction as the last key lets a
    composite index ending in that key (plus the pk) serve the whole order.
    """
    query = queryset.query
    if query.is_sliced or query.combinator or (query.distinct and getattr(queryset, "_fields", None)):
        return queryset
    model = queryset.model
    if query.order_by:
        terms = list(query.order_by)
    elif query.default_ordering and model._meta.ordering:
        terms = list(model._meta.ordering)
    else:
        terms = []
    pk = model._meta.pk
    unique = {"pk", pk.name, pk.attname}
    descending = False
    for term in terms:
        if isinstance(term, str):
            if term == "?":
                return queryset
            name = term.lstrip("-")
            descending = term.startswith("-")
        elif isinstance(term, OrderBy):
            name = getattr(term.expression, "name", "") if isinstance(term.expression, F) else ""
            descending = term.descending
        else:
            name = getattr(term, "name", "") if isinstance(term, F) else ""
            descending = False
        if name in unique:
            return queryset
    return queryset.order_by(*terms, "-pk" if descending else "pk")


def _queryset_of(object_list: Any) -> models.QuerySet | None:
    """The queryset behind a django-tables2 ``BoundRows`` (or a queryset itself), else None."""
    data = getattr(getattr(object_list, "data", None), "data", object_list)
    return data if isinstance(data, models.QuerySet) else None


class CappedPage(Page):
    """A page of a capped list: past the counted rows, "has next" asks the database."""

    paginator: CappedPaginator

    def has_next(self) -> bool:
        if not self.paginator.capped or self.number < self.paginator.num_pages:
            return super().has_next()
        rows = _queryset_of(self.paginator.object_list)
        top = self.number * self.paginator.per_page
        return rows is not None and rows[top : top + 1].exists()


class CappedPaginator(Paginator):
    """Django's paginator with the COUNT stopped at ``cap`` + 1 rows (see the module docstring)."""

    cap = COUNT_CAP

    def __init__(self, object_list: Any, *args: Any, **kwargs: Any) -> None:
        # A django-tables2 table passes its rows: give the queryset inside them a total order.
        table_data = getattr(object_list, "data", None)
        if isinstance(getattr(table_data, "data", None), models.QuerySet):
            table_data.data = stable_order(table_data.data)  # type: ignore[union-attr]
        elif isinstance(object_list, models.QuerySet):
            object_list = stable_order(object_list)
        super().__init__(object_list, *args, **kwargs)

    @cached_property
    def count(self) -> int:
        rows = _queryset_of(self.object_list)
        if rows is None:
            return super().count
        counted = rows.order_by()[: self.cap + 1].count()  # order plays no part in a count
        return min(counted, self.cap + 1)

    @property
    def capped(self) -> bool:
        """True when there are more rows than ``cap``: the count shown is then a lower bound."""
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        """The count as the pager shows it: ``1,234`` or ``10,000+``."""
        if self.capped:
            return number_format(self.cap, force_grouping=True) + "+"
        return number_format(self.count, force_grouping=True)

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            return super().validate_number(number)
        except EmptyPage:
            # past the counted rows: fine while the page has rows (checked in page())
            return int(number)

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        page = self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
        if number > self.num_pages and not page.object_list:
            raise EmptyPage(self.error_messages["no_results"])
        return page

    def _get_page(self, *args: Any, **kwargs: Any) -> Page:
        return CappedPage(*args, **kwargs)
