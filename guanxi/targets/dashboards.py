"""The sales dashboard (``/dashboards/sales/``): charts for the viewer's data scope and a period.

Each chart is a ``guanxi.framework.dashboard.Chart``: an ECharts option drawn by
``js/charts.js``, the same numbers as a table whose cells link to the records behind them, and
an Excel export (``/dashboards/sales/<key>.xlsx``). Every number is one SQL aggregate over
``restrict(user, "view")`` on base-currency amounts; the money figures come from the measures
registry. Other modules add charts with ``register_sales_chart`` (the receivables module's
aging buckets), so this page never imports them.

Definitions (see docs/dashboards.md): the *funnel* counts the deals created in the period that
stand at or beyond each open stage of the pipeline (won deals have passed every stage; lost
deals are in the lost-reason chart), so each bar links to exactly those deals.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.dashboard import COUNT, DECIMAL, MONEY, Chart, tree, where_link
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal, Pipeline, Stage, StageChange
from guanxi.targets import periods
from guanxi.targets.services import months_of, scope_departments, sum_targets, target_rows
from guanxi.users.models import Department

DEALS = "sales:deal_list"
TOP_CUSTOMERS = 10


@dataclass
class Scope:
    """Who is looking, at which period and (optionally) which department subtree."""

    user: Any
    period: periods.Period
    department: Department | None = None
    _subtree: set[int] | None = None

    def between(self, field: str) -> dict[str, Any]:
        return {
            "field": field,
            "op": "between",
            "value": [self.period.start.isoformat(), self.period.end.isoformat()],
        }

    def leaves(self) -> list[dict[str, Any]]:
        """The department narrowing as condition leaves (for the links)."""
        if self.department is None:
            return []
        return [{"field": "department", "op": "in", "value": sorted(self.subtree())}]

    def subtree(self) -> set[int]:
        if self._subtree is None:
            self._subtree = (
                set(
                    Department.objects.filter(path__startswith=self.department.path).values_list(
                        "pk", flat=True
                    )
                )
                if self.department is not None
                else set()
            )
        return self._subtree

    def deals(self) -> Any:
        qs = Deal.objects.restrict(self.user, "view")
        if self.department is not None:
            # the subtree's ids (read once per page), not a join on the departments per chart
            qs = qs.filter(department_id__in=self.subtree())
        return qs

    def link(self, *leaves: dict[str, Any], list_name: str = DEALS) -> str:
        return where_link(list_name, tree(*leaves, *self.leaves()))


# -- the registry -----------------------------------------------------------------------------------
ChartProvider = Callable[[Scope], Chart | None]
_CHARTS: dict[str, tuple[int, ChartProvider]] = {}


def register_sales_chart(key: str, *, weight: int = 100) -> Callable[[ChartProvider], ChartProvider]:
    """Decorator: add a chart to the sales dashboard (``provider(scope)`` returns a ``Chart`` or
    None to leave it out for this viewer). The receivables module registers its aging buckets."""

    def decorator(provider: ChartProvider) -> ChartProvider:
        _CHARTS[key] = (weight, provider)
        return provider

    return decorator


def _bar(
    title: Any, categories: list[str], series: list[tuple[Any, list[Any], list[str]]], **extra: Any
) -> dict[str, Any]:
    """An ECharts bar option (numbers as floats: JSON has no Decimal); a legend, above the plot,
    only when it tells two or more series apart. A chart of counts (every drawn value an int)
    ticks its value axis in whole steps: a funnel of four deals read 0, 0.2, 0.4 … ."""
    counts = bool(series) and all(
        isinstance(v, int) and not isinstance(v, bool) for _name, values, _links in series for v in values
    )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {
            "left": 8,
            "right": 8,
            "bottom": 8,
            "top": 32 if len(series) > 1 else 16,
            "containLabel": True,
        },
        "xAxis": {
            "type": "category",
            "data": categories,
            "axisLabel": {"interval": 0, "rotate": 30 if len(categories) > 6 else 0},
        },
        "yAxis": {"type": "value", **({"minInterval": 1} if counts else {})},
        "series": [
            {"name": str(name), "type": extra.get("kind", "bar"), "data": [float(v or 0) for v in values]}
            for name, values, _links in series
        ],
    }


def bar_chart(
    title: Any,
    icon: str,
    categories: list[str],
    series: list[tuple[Any, list[Any], list[str]]],
    *,
    empty: Any,
    kind: str = "bar",
    plotted: int | None = None,
    units: tuple[str, ...] = (),
) -> Chart:
    """A bar (or line) chart for the dashboard: ``series`` are (name, values, links per category);
    the table under it and the Excel export hold the same numbers and links. ``plotted``: how
    many of the series (the first ones) the chart draws — the rest are columns of the table only
    (a win rate drawn, its won and lost counts listed). Draw series of one unit only: the chart
    has one value axis, and counts beside amounts there read as zero. ``units``: how each series'
    column reads in the table (``COUNT``, ``MONEY``, ``DECIMAL``; inferred when left out, but
    money must be named). Charts that other modules register (``register_sales_chart``) build
    theirs with it."""
    rows = [
        (category, [(values[i], links[i]) for _name, values, links in series])
        for i, category in enumerate(categories)
    ]
    drawn = series[:plotted] if plotted is not None else series
    return Chart(
        title=title,
        option=_bar(title, categories, drawn, kind=kind),
        columns=["", *[name for name, _v, _l in series]],
        rows=rows,
        icon=icon,
        empty=empty,
        links=[links for _name, _values, links in drawn],
        units=list(units),
    )


# -- deals ------------------------------------------------------------------------------------------
def default_pipeline(scope: Scope) -> Pipeline | None:
    """The pipeline the stage charts follow (the default one), read once per page."""
    if not hasattr(scope, "_pipeline"):
        found = (
            Pipeline.objects.filter(is_default=True).first()
            or Pipeline.objects.order_by("order", "pk").first()
        )
        scope._pipeline = found  # type: ignore[attr-defined]
        scope._stages = list(Stage.objects.filter(pipeline=found).order_by("order", "pk")) if found else []  # type: ignore[attr-defined]
    return scope._pipeline  # type: ignore[attr-defined]


@register_sales_chart("funnel", weight=10)
def funnel(scope: Scope) -> Chart | None:
    """Deals created in the period at or beyond each open stage of the default pipeline."""
    if not can(scope.user, "view", Deal):
        return None
    pipeline = default_pipeline(scope)
    if pipeline is None:
        return None
    stages = scope._stages  # type: ignore[attr-defined]
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = [s for s in stages if s.kind == StageKind.WON]
    by_stage = dict(
        scope.deals()
        .filter(
            pipeline=pipeline,
            created_at__date__gte=scope.period.start,
            created_at__date__lte=scope.period.end,
        )
        .exclude(stage__kind=StageKind.LOST)
        .order_by()
        .values_list("stage_id")
        .annotate(n=Count("pk"))
    )
    values, links, rates = [], [], []
    for index in range(len(open_stages)):
        beyond = [s.pk for s in open_stages[index:]] + [s.pk for s in won]
        values.append(sum(by_stage.get(pk, 0) for pk in beyond))
        links.append(
            scope.link(
                {"field": "pipeline", "op": "eq", "value": pipeline.pk},
                {"field": "stage", "op": "in", "value": beyond},
                scope.between("created_at"),
            )
        )
    won_count = sum(by_stage.get(s.pk, 0) for s in won)
    categories = [s.label for s in open_stages] + [_("Won")]
    values.append(won_count)
    links.append(
        scope.link(
            {"field": "pipeline", "op": "eq", "value": pipeline.pk},
            {"field": "stage", "op": "in", "value": [s.pk for s in won]},
            scope.between("created_at"),
        )
    )
    for i in range(len(values)):
        following = values[i + 1] if i + 1 < len(values) else None
        rates.append(
            Decimal(following * 100 / values[i]).quantize(Decimal("0.1"))
            if values[i] and following is not None
            else ""
        )
    chart = bar_chart(
        _("Funnel of the deals created in the period"),
        "filter",
        categories,
        [(_("Deals"), values, links), (_("Conversion to next stage (%)"), rates, [""] * len(rates))],
        empty=_("No deals were created in this period."),
        plotted=1,
        units=(COUNT, DECIMAL),
    )
    if not any(values):
        chart.rows = []
    return chart


@register_sales_chart("win_rate", weight=20)
def win_rate(scope: Scope) -> Chart | None:
    """Of the deals closed in the period, the share won — per owner, plus the average cycle."""
    if not can(scope.user, "view", Deal):
        return None
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = list(
        scope.deals()
        .filter(closed_at__date__gte=scope.period.start, closed_at__date__lte=scope.period.end)
        .exclude(stage__kind=StageKind.OPEN)
        .order_by()
        .values("owner_id", "owner__name", "owner__username")
        .annotate(
            won=Count("pk", filter=Q(stage__kind=StageKind.WON)),
            lost=Count("pk", filter=Q(stage__kind=StageKind.LOST)),
            cycle=Avg(cycle, filter=Q(stage__kind=StageKind.WON)),
        )
        .order_by("owner__name", "owner__username")
    )
    categories, rate, won, lost, days = [], [], [], [], []
    won_links, lost_links, rate_links, day_links = [], [], [], []
    closed = scope.between("closed_at")
    for row in rows:
        owner = (
            {"field": "owner", "op": "eq", "value": row["owner_id"]}
            if row["owner_id"]
            else {"field": "owner", "op": "is_empty"}
        )
        categories.append(row["owner__name"] or row["owner__username"] or _("No owner"))
        total = row["won"] + row["lost"]
        rate.append(Decimal(row["won"] * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0))
        won.append(row["won"])
        lost.append(row["lost"])
        days.append(
            Decimal(row["cycle"].total_seconds() / 86400).quantize(Decimal("0.1")) if row["cycle"] else ""
        )
        won_link = scope.link(owner, {"field": "stage.kind", "op": "eq", "value": "won"}, closed)
        won_links.append(won_link)
        day_links.append(won_link)
        lost_links.append(scope.link(owner, {"field": "stage.kind", "op": "eq", "value": "lost"}, closed))
        rate_links.append(
            scope.link(owner, {"field": "stage.kind", "op": "in", "value": ["won", "lost"]}, closed)
        )
    chart = bar_chart(
        _("Win rate and sales cycle"),
        "trophy",
        categories,
        [
            (_("Win rate (%)"), rate, rate_links),
            (_("Won"), won, won_links),
            (_("Lost"), lost, lost_links),
            (_("Average sales cycle (days)"), days, day_links),
        ],
        empty=_("No deals were closed in this period."),
        plotted=1,
        units=(DECIMAL, COUNT, COUNT, DECIMAL),
    )
    chart.option["yAxis"] = {"type": "value", "max": 100}
    return chart


@register_sales_chart("time_in_stage", weight=30)
def time_in_stage(scope: Scope) -> Chart | None:
    """Average days a deal spent in each stage, over the moves out of it in the period."""
    if not can(scope.user, "view", Deal):
        return None
    pipeline = default_pipeline(scope)
    if pipeline is None:
        return None
    moves = StageChange.objects.restrict(scope.user, "view").filter(
        from_stage__pipeline=pipeline,
        changed_at__date__gte=scope.period.start,
        changed_at__date__lte=scope.period.end,
        seconds_in_stage__isnull=False,
    )
    if scope.department is not None:
        moves = moves.filter(deal__department_id__in=scope.subtree())
    averages = {
        row["from_stage"]: row
        for row in moves.order_by()
        .values("from_stage")
        .annotate(seconds=Avg("seconds_in_stage"), n=Count("pk"))
    }
    stages = [s for s in scope._stages if s.kind == StageKind.OPEN]  # type: ignore[attr-defined]
    days, counts, links = [], [], []
    for stage in stages:
        row = averages.get(stage.pk)
        days.append(Decimal((row["seconds"] or 0) / 86400).quantize(Decimal("0.1")) if row else Decimal(0))
        counts.append(row["n"] if row else 0)
        links.append(scope.link({"field": "stage", "op": "eq", "value": stage.pk}))
    chart = bar_chart(
        _("Time in stage (average days)"),
        "clock",
        [s.label for s in stages],
        [(_("Average days"), days, links), (_("Moves out of the stage"), counts, [""] * len(counts))],
        empty=_("No deal changed stage in this period."),
        plotted=1,
        units=(DECIMAL, COUNT),
    )
    if not any(counts):
        chart.rows = []
    return chart


@register_sales_chart("lost_reasons", weight=40)
def lost_reasons(scope: Scope) -> Chart | None:
    """Deals lost in the period by their reason: the amounts drawn, biggest first; the table
    and the export add the number of deals (drawn on the same axis, counts of about ten beside
    amounts of about 100,000 were flat lines)."""
    if not can(scope.user, "view", Deal):
        return None
    from guanxi.sales.choices import close_reason_choices

    labels = dict(close_reason_choices())
    rows = list(
        scope.deals()
        .filter(
            stage__kind=StageKind.LOST,
            closed_at__date__gte=scope.period.start,
            closed_at__date__lte=scope.period.end,
        )
        .order_by()
        .values("close_reason")
        .annotate(n=Count("pk"), amount=Coalesce(Sum("amount_base"), Decimal("0.00")))
        .order_by("-amount", "-n", "close_reason")
    )
    categories, counts, amounts, links = [], [], [], []
    for row in rows:
        reason = row["close_reason"] or ""
        categories.append(str(labels.get(reason, reason)) if reason else _("No reason given"))
        counts.append(row["n"])
        amounts.append(row["amount"])
        leaf = (
            {"field": "close_reason", "op": "eq", "value": reason}
            if reason
            else {"field": "close_reason", "op": "is_empty"}
        )
        links.append(
            scope.link({"field": "stage.kind", "op": "eq", "value": "lost"}, leaf, scope.between("closed_at"))
        )
    return bar_chart(
        _("Lost deals by reason"),
        "mood-sad",
        categories,
        [(_("Amount"), amounts, links), (_("Deals"), counts, links)],
        empty=_("No deals were lost in this period."),
        plotted=1,
        units=(MONEY, COUNT),
    )


@register_sales_chart("new_deals", weight=50)
def new_deals(scope: Scope) -> Chart | None:
    """Deals created per month of the period (count and amount)."""
    if not can(scope.user, "view", Deal):
        return None
    rows = {
        (row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]): row
        for row in scope.deals()
        .filter(created_at__date__gte=scope.period.start, created_at__date__lte=scope.period.end)
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"), amount=Sum("amount_base"))
    }
    categories, counts, amounts, links = [], [], [], []
    for year, month in months_of(scope.period.start, scope.period.end):
        first = datetime.date(year, month, 1)
        start, end = (
            max(first, scope.period.start),
            min(periods.bounds("month", year, month)[1], scope.period.end),
        )
        row = rows.get(first)
        categories.append(f"{year}-{month:02d}")
        counts.append(row["n"] if row else 0)
        amounts.append((row["amount"] or Decimal("0.00")) if row else Decimal("0.00"))
        links.append(
            scope.link(
                {"field": "created_at", "op": "between", "value": [start.isoformat(), end.isoformat()]}
            )
        )
    chart = bar_chart(
        _("New deals by month"),
        "trending-up",
        categories,
        [(_("Deals"), counts, links), (_("Amount"), amounts, links)],
        empty=_("No deals were created in this period."),
        kind="line",
        plotted=1,
        units=(COUNT, MONEY),
    )
    if not any(counts):
        chart.rows = []
    return chart


# -- money: signed, 回款, targets -----------------------------------------------------------------------
def _registered(key: str, user: Any) -> bool:
    """The measure exists (回款 comes with the receivables module) and ``user`` may read it."""
    from guanxi.framework.measures import available

    return available(key, user)


def _by_month(scope: Scope, key: str) -> dict[datetime.date, Decimal]:
    from guanxi.framework.measures import totals

    out: dict[datetime.date, Decimal] = {}
    for (month, department_id), amount in totals(
        key, scope.user, scope.period.start, scope.period.end, by=("month", "department")
    ).items():
        if scope.department is None or department_id in scope.subtree():
            out[month] = out.get(month, Decimal(0)) + Decimal(amount)
    return out


@register_sales_chart("signed_received_target", weight=60)
def signed_received_target(scope: Scope) -> Chart | None:
    """Signed, 回款 (when the receivables module is there) and the target, by month."""
    from guanxi.framework.measures import measure

    if not _registered("signed", scope.user):
        return None
    keys = ["signed"] + (["received"] if _registered("received", scope.user) else [])
    series = []
    months = months_of(scope.period.start, scope.period.end)
    for key in keys:
        amounts = _by_month(scope, key)
        values, links = [], []
        for year, month in months:
            first = datetime.date(year, month, 1)
            start, end = (
                max(first, scope.period.start),
                min(periods.bounds("month", year, month)[1], scope.period.end),
            )
            values.append(amounts.get(first, Decimal("0.00")))
            links.append(_measure_link(scope, key, start, end))
        series.append((measure(key).label, values, links))
    goals = []
    rows = target_rows("signed", {y for y, _m in months}, user=scope.user)
    for year, month in months:
        goals.append(_team_target(scope, sum_targets(rows, *periods.bounds("month", year, month))))
    series.append((_("Target (signed)"), goals, [""] * len(goals)))
    chart = bar_chart(
        _("Signed vs received vs target by month") if len(keys) > 1 else _("Signed vs target by month"),
        "currency-yuan",
        [f"{y}-{m:02d}" for y, m in months],
        series,
        empty=_("Nothing was signed in this period."),
        units=(*(MONEY if measure(key).money else COUNT for key in keys), MONEY),
    )
    chart.option["series"][-1]["type"] = "line"
    return chart


def _measure_link(scope: Scope, key: str, start: datetime.date, end: datetime.date) -> str:
    from guanxi.framework.measures import measure, rows_link

    base = rows_link(key, start, end)
    if scope.department is None:
        return base
    m = measure(key)
    return where_link(
        m.list_name,
        tree(
            *(m.condition or {}).get("all", []),
            {"field": m.date_field, "op": "between", "value": [start.isoformat(), end.isoformat()]},
            {"field": m.department_field, "op": "in", "value": sorted(scope.subtree())},
        ),
    )


def _team_target(scope: Scope, found: dict[tuple[int | None, int], Decimal]) -> Decimal:
    """The target of what the viewer looks at: the chosen department's own figure when it has
    one, else the sum of the people's targets in scope (department rows are not added to them:
    they restate the same money one level up)."""
    if scope.department is not None and (None, scope.department.pk) in found:
        return found[(None, scope.department.pk)]
    people = [
        amount
        for (user_id, department_id), amount in found.items()
        if user_id is not None and (scope.department is None or department_id in scope.subtree())
    ]
    return sum(people, Decimal("0.00"))


@register_sales_chart("top_customers", weight=70)
def top_customers(scope: Scope) -> Chart | None:
    """The ten customers with the most 回款 in the period (signed when 回款 is not there)."""
    from guanxi.framework import conditions
    from guanxi.framework.measures import measure

    key = "received" if _registered("received", scope.user) else "signed"
    if not _registered(key, scope.user):
        return None
    m = measure(key)
    if not _has_field(m.model, "customer"):
        return None
    rows = m.model.objects.restrict(scope.user, "view")  # type: ignore[attr-defined]
    if m.condition:
        rows = rows.filter(conditions.compile(m.condition, m.model))
    rows = rows.filter(**_date_range(m, scope.period))
    if scope.department is not None:
        rows = rows.filter(**{f"{m.department_field}_id__in": scope.subtree()})
    top = list(
        rows.order_by()
        .values("customer_id", "customer__name")
        .annotate(amount=Sum(m.sum_field) if m.sum_field else Count("pk"))
        .order_by("-amount", "customer__name")[:TOP_CUSTOMERS]
    )
    categories, values, links = [], [], []
    for row in top:
        categories.append(row["customer__name"])
        values.append(row["amount"] or 0)
        links.append(
            where_link(
                m.list_name,
                tree(
                    *(m.condition or {}).get("all", []),
                    {
                        "field": m.date_field,
                        "op": "between",
                        "value": [scope.period.start.isoformat(), scope.period.end.isoformat()],
                    },
                    {"field": "customer", "op": "eq", "value": row["customer_id"]},
                    *(
                        [{"field": m.department_field, "op": "in", "value": sorted(scope.subtree())}]
                        if scope.department
                        else []
                    ),
                ),
            )
        )
    chart = bar_chart(
        _("Top customers by %(measure)s") % {"measure": m.label},
        "building",
        categories,
        [(m.label, values, links)],
        empty=_("Nothing in this period yet."),
        units=(MONEY if m.money else COUNT,),
    )
    chart.option["xAxis"], chart.option["yAxis"] = (
        chart.option["yAxis"],  # the value axis, lying down (whole steps when it counts)
        {"type": "category", "data": categories[::-1]},
    )
    chart.option["series"][0]["data"] = chart.option["series"][0]["data"][::-1]
    chart.links = [links[::-1]]
    return chart


def _has_field(model: Any, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _date_range(m: Any, period: periods.Period) -> dict[str, Any]:
    from django.db import models

    field = m.model._meta.get_field(m.date_field)
    suffix = "__date" if isinstance(field, models.DateTimeField) else ""
    return {f"{m.date_field}{suffix}__gte": period.start, f"{m.date_field}{suffix}__lte": period.end}


# -- the page ---------------------------------------------------------------------------------------
def scope_of(request: Any) -> tuple[Scope, list[Department]]:
    from guanxi.framework.dashboard import manages_team

    user = request.user
    if not can(user, "view", Deal):
        raise PermissionDenied(_("You may not view deals."))
    period = periods.from_query(request.GET, default="month", custom=True)
    departments = scope_departments(user, Deal) if manages_team(user) else []
    wanted = request.GET.get("department", "")
    department = next((d for d in departments if str(d.pk) == wanted), None)
    return Scope(user, period, department), departments


def charts(scope: Scope) -> list[tuple[str, Chart]]:
    out = []
    for key, (_weight, provider) in sorted(_CHARTS.items(), key=lambda item: (item[1][0], item[0])):
        chart = provider(scope)
        if chart is not None:
            out.append((key, chart))
    return out


def chart(request: Any, key: str) -> Chart | None:
    found = _CHARTS.get(key)
    if found is None:
        return None
    scope, _departments = scope_of(request)
    return found[1](scope)


def context(request: Any) -> dict[str, Any]:
    from django.utils import timezone

    scope, departments = scope_of(request)
    this = timezone.localdate().year
    return {
        "period": scope.period,
        "department": scope.department,
        "departments": departments,
        "charts": charts(scope),
        "custom": True,
        "years": list(range(this - 3, this + 2)),
        "query": scope.period.query() + (f"&department={scope.department.pk}" if scope.department else ""),
        "quick": _quick_periods(),
    }


def _quick_periods() -> list[tuple[str, str]]:
    from django.utils import timezone

    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return [
        (_("This month"), f"period=month&year={today.year}&number={today.month}"),
        (_("This quarter"), f"period=quarter&year={today.year}&number={quarter}"),
        (_("This year"), f"period=year&year={today.year}&number=0"),
    ]
