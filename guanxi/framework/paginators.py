"""The list pager: an exact row count up to a cap, "10,000+" beyond it.

At a million rows the pager's exact ``COUNT(*)`` is the most expensive query of a list page — it
must visit every visible row, while the page itself reads 50 through an index. Nobody pages to
row 600,000, and "10,000+ customers" tells the reader what they need (narrow the filters), so
the count stops at ``cap + 1`` rows: ``SELECT COUNT(*) FROM (SELECT … LIMIT 10001)``. Below
the cap nothing changes. Beyond it the pager keeps working: pages past the cap are served while
rows exist, and "Next" shows while a further row does (one bounded probe).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import models
from django.utils.formats import number_format

COUNT_CAP = 10_000


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
