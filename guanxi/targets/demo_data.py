"""Demo data: this year's monthly targets for every salesperson and sales department.

Money targets (signed, won, 回款 received) are each person's monthly run rate over the last three
full months plus about 10 %, rounded to the thousand, with a floor for people who sold little;
counts (new customers, follow-ups) are steady monthly figures. A department's target is the sum of
its members' and its sub-departments'. The run rate is the measures' own numbers
(guanxi.framework.measures), read as an administrator. (Not last calendar year's: the demo's deals
span the last twelve months and ramp up, so last year's actuals were nearly empty and every target
sat on the floor — a forecast showed 5,000 % completion.)
Runs after the contracts and receivables steps; idempotent (nothing when targets exist); written
through the bulk write path.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

GROWTH = Decimal("1.10")
RUN_RATE_MONTHS = 3  # the full months before this one that set a person's monthly pace
THOUSAND = Decimal(1000)
# a month, for a thin history; 回款 follows signing, a little below it
MONEY_FLOOR = {"signed": Decimal(60000), "won": Decimal(50000), "received": Decimal(50000)}
COUNTS = {"new_customers": 4, "follow_ups": 30}  # a month, per person


def _run_rate_by_owner(today: datetime.date) -> dict[str, dict[int, Decimal]]:
    """Each money measure's monthly average per owner over the ``RUN_RATE_MONTHS`` full months
    before ``today``'s (measures not installed are left out)."""
    from guanxi.framework.measures import is_registered, totals
    from guanxi.users.models import User

    reader = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    end = today.replace(day=1) - datetime.timedelta(days=1)  # the last day of last month
    start = end.replace(day=1)
    for _ in range(RUN_RATE_MONTHS - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return {
        key: {
            owner: amount / RUN_RATE_MONTHS
            for (owner,), amount in totals(key, reader, start, end, by=("owner",)).items()
        }
        for key in MONEY_FLOOR
        if reader is not None and is_registered(key)
    }


def _monthly(measure: str, run_rate: Decimal, rng: Any) -> Decimal:
    if measure in COUNTS:
        return Decimal(COUNTS[measure] + rng.randint(-1, 2))
    wanted = max(run_rate * GROWTH, MONEY_FLOOR[measure] * Decimal(rng.randint(90, 130)) / 100)
    return (wanted / THOUSAND).quantize(Decimal(1), rounding=ROUND_HALF_UP) * THOUSAND


def load_targets(ctx: DemoContext) -> int:
    from guanxi.framework.write import bulk_create_objects
    from guanxi.targets.models import Target
    from guanxi.users.models import Department, User

    if Target.objects.exists():
        return 0
    year = timezone.localdate().year
    departments = {d.pk: d for d in Department.objects.filter(path__startswith=_sales_path(ctx))}
    if not departments:
        return 0
    people = list(User.objects.filter(department_id__in=departments, is_active=True).order_by("pk"))
    history = _run_rate_by_owner(timezone.localdate())
    rows: list[Target] = []
    # per department, per measure, per month: what its people and sub-departments add up to
    rollup: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
    for person in people:
        for measure in (*history, *COUNTS):
            monthly = _monthly(measure, history.get(measure, {}).get(person.pk, Decimal(0)), ctx.rng)
            for month in range(1, 13):
                rows.append(
                    Target(
                        user=person, department_id=person.department_id, measure=measure, year=year,
                        period=f"m{month:02d}", amount=monthly,
                    )
                )  # fmt: skip
                for department in _ancestors(departments, person.department_id):
                    rollup[(department, measure, month)] += monthly
    for (department, measure, month), amount in sorted(rollup.items()):
        rows.append(
            Target(
                department_id=department, measure=measure, year=year, period=f"m{month:02d}", amount=amount
            )
        )
    bulk_create_objects(Target, rows, actor=None, check_visible=False)
    return len(rows)


def _sales_path(ctx: DemoContext) -> str:
    """The sales centre's tree path (the organisation step's "sales" department)."""
    from guanxi.users.models import Department

    sales = ctx.departments.get("sales") or Department.objects.filter(name="销售中心").first()
    return sales.path if sales is not None else "~"


def _ancestors(departments: dict[int, Any], department_id: int) -> list[int]:
    """The department and its ancestors inside the sales tree."""
    out = []
    current = departments.get(department_id)
    while current is not None:
        out.append(current.pk)
        current = departments.get(current.parent_id)
    return out


register_demo_step("targets", load_targets, order=90)
