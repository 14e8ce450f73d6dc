"""The team home's activity widgets: the team's overdue tasks, follow-ups due today, and follow-ups
logged per rep this week and this month (guanxi.framework.dashboard). "The team" is whatever the
manager's data scope shows (``restrict()``): their department tree, their reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as SqlCount
from django.utils.translation import gettext as _

from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.framework import conditions
from guanxi.framework.access import can
from guanxi.framework.dashboard import CHART, NUMBER, Chart, counter, register_widget, tree, where_link

# One definition each: the number counts these trees, its link opens the list narrowed by them.
OVERDUE = tree(
    {"field": "status", "op": "eq", "value": TaskStatus.OPEN.value},
    {"field": "due_at", "op": "past"},
)
FOLLOW_UPS_DUE = tree(
    {"field": "status", "op": "eq", "value": TaskStatus.OPEN.value},
    {"field": "follow_up", "op": "is_not_empty"},
    {"field": "due_at", "op": "today"},
)
PERIODS = ("this_week", "this_month")
MAX_REPS = 30


@register_widget("team_overdue", kind=NUMBER, weight=10)
def team_overdue(request: Any) -> Any:
    return counter(
        request.user, Task, OVERDUE, "activities:task_list", _("Overdue tasks"), icon="alarm", tone="red"
    )


@register_widget("team_follow_ups_due", kind=NUMBER, weight=20)
def team_follow_ups_due(request: Any) -> Any:
    return counter(
        request.user,
        Task,
        FOLLOW_UPS_DUE,
        "activities:task_list",
        _("Follow-ups due today"),
        icon="phone-call",
        tone="amber",
    )


def follow_up_tree(owner_id: int, period: str) -> dict[str, Any]:
    return tree(
        {"field": "owner", "op": "eq", "value": owner_id},
        {"field": "occurred_at", "op": period},
    )


def team_people(user: Any, extra_ids: set[int]) -> list[Any]:
    """The colleagues ``user`` may see (their team) plus the owners found in the data."""
    from django.db.models import Q

    from guanxi.users.models import User

    people = User.objects.restrict(user, "view").filter(is_active=True)
    if extra_ids:
        people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=extra_ids))
    return list(people.order_by("name", "pk")[:MAX_REPS])


@register_widget("team_follow_ups_per_rep", kind=CHART, weight=110)
def follow_ups_per_rep(request: Any) -> Chart | None:
    user = request.user
    if not can(user, "view", FollowUp):
        return None
    week, month = (
        conditions.compile(tree({"field": "occurred_at", "op": p}), FollowUp, user=user) for p in PERIODS
    )
    counts = {
        row["owner"]: row
        for row in FollowUp.objects.restrict(user, "view")
        .filter(week | month)
        .order_by()
        .values("owner")
        .annotate(week=SqlCount("pk", filter=week), month=SqlCount("pk", filter=month))
        if row["owner"] is not None
    }
    people = team_people(user, set(counts))
    people.sort(key=lambda p: (-counts.get(p.pk, {}).get("month", 0), p.name))
    labels = [p.name or p.get_username() for p in people]
    series_names = [_("This week"), _("This month")]
    rows = []
    links: list[list[str]] = [[], []]
    for person in people:
        found = counts.get(person.pk, {})
        cells = []
        for i, (period, key) in enumerate(zip(PERIODS, ("week", "month"), strict=True)):
            url = where_link("activities:followup_list", follow_up_tree(person.pk, period))
            cells.append((found.get(key, 0), url))
            links[i].append(url)
        rows.append((person.name or person.get_username(), cells))
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": series_names, "top": 0, "left": "center"},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "data": [cells[i][0] for _label, cells in rows]}
            for i, name in enumerate(series_names)
        ],
    }
    return Chart(
        title=_("Follow-ups per rep"),
        option=option,
        columns=[_("Rep"), *series_names],
        rows=rows,
        links=links,
        icon="message-circle",
        empty=_("Nobody on your team yet."),
    )
