"""The team home: widgets modules register for managers and directors (numbers and charts).

A *widget* is a number or a chart on the team view of the home page. A module registers a
provider that returns the widget's data for the request, or ``None`` to leave it out::

    @register_widget("team_overdue", kind=NUMBER, weight=10)
    def overdue(request):
        return counter(request.user, Task, OVERDUE, "activities:task_list", _("Overdue tasks"))

Every number is a ``Count``: how many rows a condition tree selects after ``restrict()``, and the
list URL narrowed by that same tree (``?where=``), so the number and the list it links to are one
definition and cannot disagree. A chart is a ``Chart``: an ECharts option (rendered by the static
``js/charts.js`` from a ``json_script`` block, no inline script), its numbers as a table whose cells
link to their lists, and an Excel export of that table (``/home/team/<key>.xlsx``).

Who sees the team view: users who manage others according to the access layer
(``manages_team``) — they have people reporting to them or a department-tree / "me and my
subordinates" data scope — not a role name. Sales dashboards add their widgets here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse

NUMBER, CHART = "number", "chart"
# How a chart table's column reads (``Chart.units``): whole numbers, money in the company currency,
# or decimals — every cell of a column with the same number of decimals.
COUNT, MONEY, DECIMAL = "count", "money", "decimal"
WidgetProvider = Callable[[Any], Any]


@dataclass(frozen=True)
class Widget:
    key: str
    kind: str
    provider: WidgetProvider
    weight: int


@dataclass
class Count:
    """A number on the team view and the list behind it."""

    label: Any
    count: int
    url: str
    icon: str = "list"
    tone: str = "blue"
    hint: Any = ""


@dataclass
class Chart:
    """A chart: the ECharts option, its numbers as a linked table, and its Excel export."""

    title: Any
    option: dict[str, Any]
    columns: list[Any]
    # Each row: (label, [(number, url or "")...])
    rows: list[tuple[Any, list[tuple[int, str]]]] = field(default_factory=list)
    icon: str = "chart-bar"
    empty: Any = ""
    # links[series][index] for a click on a bar
    links: list[list[str]] = field(default_factory=list)
    # The unit of each value column (COUNT, MONEY or DECIMAL); a column without one is inferred
    # from its numbers (all whole: COUNT, else DECIMAL). Money must be declared: a sum of amounts
    # and a rate are both Decimals.
    units: list[str] = field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        """What ``js/charts.js`` reads (through ``json_script``): the option and the bar links."""
        return {"option": self.option, "links": self.links}

    @property
    def table(self) -> list[tuple[Any, list[tuple[str, str]]]]:
        """``rows`` as the page shows them: each number as text, formatted per column, so one
        column never mixes ``77`` and ``84.50`` (see ``column_texts``)."""
        width = max((len(cells) for _label, cells in self.rows), default=0)
        columns = []
        for index in range(width):
            values = [cells[index][0] if index < len(cells) else "" for _label, cells in self.rows]
            unit = self.units[index] if index < len(self.units) else ""
            columns.append(column_texts(values, unit))
        return [
            (label, [(columns[i][row], url) for i, (_number, url) in enumerate(cells)])
            for row, (label, cells) in enumerate(self.rows)
        ]


def column_texts(values: list[Any], unit: str = "") -> list[str]:
    """The numbers of one table column as text, alike: counts as whole numbers, money as every
    amount reads (``Money.format``: ``¥1,234.50`` / ``CNY 1,234.50``), other numbers with the
    most decimals any of them has (``84.5`` beside ``77.0``, not ``77``), digits grouped as the
    page's language groups them. A blank (None or "") stays blank: a rate with nothing to divide."""
    from decimal import Decimal

    from django.utils.formats import number_format

    from guanxi.framework.money import Money, company_currency

    numbers = [v for v in values if v is not None and v != ""]
    if not unit:
        unit = COUNT if all(isinstance(v, int) and not isinstance(v, bool) for v in numbers) else DECIMAL
    places = 0
    if unit == DECIMAL:
        for v in numbers:
            exponent = Decimal(str(v)).as_tuple().exponent
            if isinstance(exponent, int):  # not NaN / infinity
                places = max(places, -exponent)
    currency = company_currency() if unit == MONEY and numbers else ""
    texts = []
    for v in values:
        if v is None or v == "":
            texts.append("")
        elif unit == MONEY:
            texts.append(Money(Decimal(str(v)), currency).format())
        elif unit == COUNT:
            texts.append(number_format(Decimal(v).quantize(Decimal(1)), 0, force_grouping=True))
        else:
            texts.append(number_format(Decimal(str(v)), places, force_grouping=True))
    return texts


_WIDGETS: dict[str, Widget] = {}


def register_widget(key: str, *, kind: str, weight: int = 100) -> Callable[[WidgetProvider], WidgetProvider]:
    """Decorator: show the provider's ``Count`` or ``Chart`` on the team home (None: not for this user)."""
    if kind not in (NUMBER, CHART):
        raise ValueError(f"Unknown widget kind {kind!r}; use {NUMBER!r} or {CHART!r}.")

    def decorator(provider: WidgetProvider) -> WidgetProvider:
        _WIDGETS[key] = Widget(key, kind, provider, weight)
        return provider

    return decorator


def widgets() -> list[Widget]:
    return sorted(_WIDGETS.values(), key=lambda w: (w.weight, w.key))


def widget(key: str) -> Widget | None:
    return _WIDGETS.get(key)


def widget_data(request: Any, kind: str) -> list[tuple[Widget, Any]]:
    shown = []
    for item in widgets():
        if item.kind != kind:
            continue
        data = item.provider(request)
        if data is not None:
            shown.append((item, data))
    return shown


def manages_team(user: Any) -> bool:
    """Does ``user`` lead people (the access policy decides: subordinates or a team-wide scope)?"""
    from guanxi.framework.access import get_policy

    if user is None or not user.is_authenticated:
        return False
    return bool(get_policy().manages_team(user))


def tree(*leaves: dict[str, Any]) -> dict[str, Any]:
    """A condition tree: all of ``leaves``."""
    return {"version": 1, "all": list(leaves)}


def where_link(list_name: str, condition: dict[str, Any]) -> str:
    from guanxi.framework.views.lists import where_url

    return where_url(reverse(list_name), condition)


def counter(
    user: Any, model: type[models.Model], condition: dict[str, Any], list_name: str, label: Any, **extra: Any
) -> Count | None:
    """The rows of ``model`` ``user`` may view that ``condition`` selects, and their list."""
    from guanxi.framework import conditions
    from guanxi.framework.access import can

    if not can(user, "view", model):
        return None
    count = conditions.matching(condition, model, user).count()
    return Count(label=label, count=count, url=where_link(list_name, condition), **extra)


def chart_workbook(chart: Chart) -> bytes:
    """The chart's table as an Excel workbook."""
    import io

    from openpyxl import Workbook

    from guanxi.framework.exporting import neutralize

    book = Workbook()
    sheet = book.active
    sheet.title = str(chart.title)[:31]
    sheet.append([str(c) for c in chart.columns])
    for label, cells in chart.rows:
        sheet.append([neutralize(str(label)), *(number for number, _url in cells)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
