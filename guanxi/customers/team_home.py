"""The team home's customer widgets (guanxi.framework.dashboard): customers about to return to the
pool, new leads nobody has contacted yet, and each rep's customers by level. Everything reads
through ``restrict()``: a manager sees their department tree, a director theirs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count as SqlCount
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.choices import level_choices
from guanxi.customers.models import Customer, Lead
from guanxi.framework.access import can
from guanxi.framework.dashboard import CHART, NUMBER, Chart, Count, counter, register_widget, tree, where_link

NEW_LEADS = tree(
    {"field": "status", "op": "eq", "value": Lead.Status.NEW.value},
    {"field": "last_contacted_at", "op": "is_empty"},
)
MAX_REPS = 30


@register_widget("team_returning", kind=NUMBER, weight=30)
def team_returning(request: Any) -> Count | None:
    """Customers the pool rules return at the next run or warn about: the dry-run page's rows."""
    from guanxi.customers.pools.access import sees_pool_plan
    from guanxi.customers.pools.services.rules import visible_plan

    user = request.user
    if not sees_pool_plan(user):
        return None
    plan = visible_plan(user, timezone.now(), upcoming=True)
    return Count(
        label=_("About to return to the pool"),
        count=len(plan),
        url=f"{reverse('customers:pool_dry_run')}?upcoming=1",
        icon="arrow-back-up",
        tone="amber",
    )


@register_widget("team_new_leads", kind=NUMBER, weight=40)
def team_new_leads(request: Any) -> Count | None:
    return counter(
        request.user,
        Lead,
        NEW_LEADS,
        "customers:lead_list",
        _("New leads not contacted yet"),
        icon="user-plus",
        tone="blue",
    )


def level_tree(owner_id: int, level: str) -> dict[str, Any]:
    owner = {"field": "owner", "op": "eq", "value": owner_id}
    if not level:
        return tree(owner, {"field": "level", "op": "is_empty"})
    return tree(owner, {"field": "level", "op": "eq", "value": level})


@register_widget("team_customers_by_level", kind=CHART, weight=120)
def customers_by_level(request: Any) -> Chart | None:
    from guanxi.users.models import User

    user = request.user
    if not can(user, "view", Customer):
        return None
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Customer.objects.restrict(user, "view")
        .filter(owner__isnull=False)
        .order_by()
        .values("owner", "level")
        .annotate(n=SqlCount("pk"))
    ):
        counts.setdefault(row["owner"], {})[row["level"] or ""] = row["n"]
    totals = {owner: sum(levels.values()) for owner, levels in counts.items()}
    owners = sorted(totals, key=lambda pk: -totals[pk])[:MAX_REPS]
    names = dict(User.objects.filter(pk__in=owners).values_list("pk", "name"))
    used = {level for levels in counts.values() for level in levels}
    levels = [(value, str(label)) for value, label in level_choices() if value in used]
    if "" in used:
        levels.append(("", _("No level")))
    rows = []
    links: list[list[str]] = [[] for _level in levels]
    for owner in owners:
        cells = []
        for i, (value, _label) in enumerate(levels):
            url = where_link("customers:customer_list", level_tree(owner, value))
            cells.append((counts[owner].get(value, 0), url))
            links[i].append(url)
        rows.append((names.get(owner) or str(owner), cells))
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": [label for _value, label in levels], "top": 0, "left": "center"},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [label for label, _cells in rows],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": label, "type": "bar", "stack": "level", "data": [cells[i][0] for _l, cells in rows]}
            for i, (_value, label) in enumerate(levels)
        ],
    }
    return Chart(
        title=_("Customers by level per rep"),
        option=option,
        columns=[_("Rep"), *(label for _value, label in levels)],
        rows=rows,
        links=links,
        icon="users",
        empty=_("Your team owns no customers yet."),
    )
