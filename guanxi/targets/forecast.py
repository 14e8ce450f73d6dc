"""The forecast (销售预测): per owner for a month or a quarter, the open deals expected to close
in it — weighted pipeline (amount × stage probability), commit, best case, pipeline — next to
what was won (the ``won`` measure) and the won-amount target, with completion. Every number is
one SQL aggregate over ``restrict(user, "view")`` on base-currency amounts, and links to the
deals behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.dashboard import tree, where_link
from guanxi.sales.choices import ForecastCategory, StageKind
from guanxi.sales.models import Deal
from guanxi.targets import periods
from guanxi.targets.grid import percent
from guanxi.targets.services import scope_departments, target_totals
from guanxi.users.models import Department, User

ZERO = Decimal("0.00")
CATEGORIES = (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE)


@dataclass
class Line:
    label: str
    owner_id: int | None
    weighted: Decimal = ZERO
    by_category: dict[str, tuple[Decimal, str]] = field(default_factory=dict)
    won: Decimal = ZERO
    won_url: str = ""
    target: Decimal | None = None
    weighted_url: str = ""

    @property
    def projected(self) -> Decimal:
        """Won plus committed: what the owner will most likely reach."""
        return self.won + self.by_category.get(ForecastCategory.COMMIT, (ZERO, ""))[0]

    @property
    def completion(self) -> Decimal | None:
        return percent(self.won, self.target)

    @property
    def projected_completion(self) -> Decimal | None:
        return percent(self.projected, self.target)


def open_deals_tree(
    period: periods.Period, owner_id: int | None = None, category: str | None = None
) -> dict[str, Any]:
    leaves: list[dict[str, Any]] = [
        {"field": "stage.kind", "op": "eq", "value": str(StageKind.OPEN)},
        {
            "field": "expected_close_date",
            "op": "between",
            "value": [period.start.isoformat(), period.end.isoformat()],
        },
    ]
    if owner_id is not None:
        leaves.append({"field": "owner", "op": "eq", "value": owner_id})
    if category is not None:
        leaves.append({"field": "forecast_category", "op": "eq", "value": category})
    return tree(*leaves)


def lines(user: Any, period: periods.Period, department: Department | None = None) -> list[Line]:
    """One line per owner with open deals, wins or a target in the period, then the total."""
    from guanxi.framework.measures import available, rows_link, totals

    deals = Deal.objects.restrict(user, "view").filter(
        stage__kind=StageKind.OPEN, expected_close_date__gte=period.start, expected_close_date__lte=period.end
    )
    if department is not None:
        deals = deals.filter(department__path__startswith=department.path)
    weighted = ExpressionWrapper(
        F("amount_base") * F("stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    aggregates = {"weighted": Sum(weighted)}
    for category in CATEGORIES:
        aggregates[str(category)] = Sum("amount_base", filter=Q(forecast_category=category))
    by_owner = {row["owner_id"]: row for row in deals.order_by().values("owner_id").annotate(**aggregates)}
    won: dict[int | None, Decimal] = {}
    wins = (
        totals("won", user, period.start, period.end, by=("owner", "department"))
        if available("won", user)
        else {}
    )
    for (owner_id, department_id), amount in wins.items():
        if department is None or department_id in _subtree_ids(department):
            won[owner_id] = won.get(owner_id, ZERO) + amount
    targets: dict[int, Decimal] = {}
    for (owner_id, department_id), amount in target_totals(
        "won", period.start, period.end, user=user
    ).items():
        if owner_id is None or (department is not None and department_id not in _subtree_ids(department)):
            continue
        targets[owner_id] = targets.get(owner_id, ZERO) + amount
    ids = set(by_owner) | set(won) | set(targets)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in ids if i is not None])}
    out: list[Line] = []
    for owner_id in sorted(ids, key=lambda i: names.get(i, "") if i else "~"):
        row = by_owner.get(owner_id, {})
        line = Line(names.get(owner_id, _("No owner")) if owner_id else _("No owner"), owner_id)
        line.weighted = (row.get("weighted") or ZERO).quantize(Decimal("0.01"))
        line.weighted_url = where_link("sales:deal_list", open_deals_tree(period, owner_id))
        for category in CATEGORIES:
            url = where_link("sales:deal_list", open_deals_tree(period, owner_id, str(category)))
            line.by_category[str(category)] = (row.get(str(category)) or ZERO, url)
        line.won = won.get(owner_id, ZERO)
        line.won_url = rows_link("won", period.start, period.end, owner_id=owner_id) if owner_id else ""
        line.target = targets.get(owner_id) if owner_id is not None else None
        out.append(line)
    return out


def _subtree_ids(department: Department) -> set[int]:
    found = getattr(department, "_subtree_ids", None)
    if found is None:
        found = set(Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True))
        department._subtree_ids = found  # type: ignore[attr-defined]
    return found


def total(rows: list[Line], period: periods.Period) -> Line:
    """The sum of the lines (its links: every deal of the period in the viewer's scope)."""
    line = Line(_("Total"), None)
    line.weighted = sum((r.weighted for r in rows), ZERO)
    line.weighted_url = where_link("sales:deal_list", open_deals_tree(period))
    for category in CATEGORIES:
        amount = sum((r.by_category[str(category)][0] for r in rows), ZERO)
        line.by_category[str(category)] = (
            amount,
            where_link("sales:deal_list", open_deals_tree(period, None, str(category))),
        )
    line.won = sum((r.won for r in rows), ZERO)
    targets = [r.target for r in rows if r.target is not None]
    line.target = sum(targets, ZERO) if targets else None
    return line


def context(request: Any) -> dict[str, Any]:
    from django.core.exceptions import PermissionDenied

    user = request.user
    if not can(user, "view", Deal):
        raise PermissionDenied(_("You may not view deals."))
    period = periods.from_query(request.GET, default="month")
    departments = scope_departments(user, Deal) if _sees_departments(user) else []
    wanted = request.GET.get("department", "")
    department = next((d for d in departments if str(d.pk) == wanted), None)
    rows = lines(user, period, department)
    return {
        "period": period,
        "rows": rows,
        "total": total(rows, period),
        "categories": [(str(c), c.label) for c in CATEGORIES],
        "departments": departments,
        "department": department,
        "years": _years(),
        "months": list(range(1, 13)),
        "quarters": list(range(1, 5)),
    }


def _sees_departments(user: Any) -> bool:
    from guanxi.framework.dashboard import manages_team

    return manages_team(user)


def _years() -> list[int]:
    from django.utils import timezone

    this = timezone.localdate().year
    return list(range(this - 3, this + 2))
