"""The leaderboard (排行榜): people — and departments — ranked by 回款 or signed amount for a
period, with their target and completion. 回款 is offered only when the ``received`` measure is
registered (the receivables module). Numbers come from the measures registry, so a viewer ranks
exactly the rows their data scope shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from guanxi.targets import periods
from guanxi.targets.grid import percent
from guanxi.targets.services import target_totals
from guanxi.users.models import Department, User

RANKED = ("received", "signed")


@dataclass
class Place:
    rank: int
    label: str
    amount: Decimal
    url: str
    target: Decimal | None
    share: int  # the bar's width: percent of the leader's amount

    @property
    def completion(self) -> Decimal | None:
        return percent(self.amount, self.target)


def offered(user: Any) -> list[tuple[str, Any]]:
    """The measures ``user`` may rank by: 回款 first when it exists, then signed."""
    from guanxi.framework.measures import available, measure

    return [(key, measure(key).label) for key in RANKED if available(key, user)]


def ranking(user: Any, key: str, period: periods.Period) -> tuple[list[Place], list[Place]]:
    """(people, departments), best first; ties keep alphabetical order."""
    from guanxi.framework.measures import rows_link, totals

    amounts = totals(key, user, period.start, period.end, by=("owner", "department"))
    targets = target_totals(key, period.start, period.end, user=user)
    per_user: dict[int, Decimal] = {}
    per_department: dict[int, Decimal] = {}
    for (owner_id, department_id), amount in amounts.items():
        if owner_id is not None:
            per_user[owner_id] = per_user.get(owner_id, Decimal(0)) + Decimal(amount)
        if department_id is not None:
            per_department[department_id] = per_department.get(department_id, Decimal(0)) + Decimal(amount)
    user_targets: dict[int, Decimal] = {}
    department_targets: dict[int, Decimal] = {}
    for (owner_id, department_id), amount in targets.items():
        if owner_id is not None:
            user_targets[owner_id] = user_targets.get(owner_id, Decimal(0)) + amount
        else:
            department_targets[department_id] = amount
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=set(per_user) | set(user_targets))}
    listed = list(Department.objects.filter(pk__in=set(per_department) | set(department_targets)))
    departments = {d.pk: str(d) for d in listed}
    # A department's actual is its whole subtree's (as its target restates its teams' one level
    # up): every department with rows is in per_department, so its paths are enough.
    paths = {d.pk: d.path for d in listed}
    subtrees = {
        d.pk: sorted({d.pk, *(k for k in per_department if paths[k].startswith(d.path))}) for d in listed
    }
    per_department = {
        pk: sum((per_department.get(k, Decimal(0)) for k in ids), Decimal(0)) for pk, ids in subtrees.items()
    }

    def places(
        values: dict[int, Decimal], labels: dict[int, str], goals: dict[int, Decimal], link: Any
    ) -> list[Place]:
        ids = set(values) | set(goals)
        ordered = sorted(ids, key=lambda i: (-values.get(i, Decimal(0)), labels.get(i, "")))
        top = max([values.get(i, Decimal(0)) for i in ordered] or [Decimal(0)])
        out = []
        for index, pk in enumerate(ordered, start=1):
            amount = values.get(pk, Decimal(0))
            share = int(amount * 100 / top) if top else 0
            out.append(Place(index, labels.get(pk, ""), amount, link(pk), goals.get(pk), share))
        return out

    people = places(
        per_user, names, user_targets, lambda pk: rows_link(key, period.start, period.end, owner_id=pk)
    )
    teams = places(
        per_department, departments, department_targets,
        lambda pk: rows_link(key, period.start, period.end, department_ids=subtrees[pk]),
    )  # fmt: skip
    return people, teams


def context(request: Any) -> dict[str, Any]:
    from django.utils import timezone

    choices = offered(request.user)
    if not choices:
        raise PermissionDenied(_("There is nothing to rank by yet."))
    key = request.GET.get("by") or choices[0][0]
    if key not in dict(choices):
        key = choices[0][0]
    period = periods.from_query(request.GET, default="month")
    people, teams = ranking(request.user, key, period)
    this = timezone.localdate().year
    return {
        "by": key,
        "choices": choices,
        "period": period,
        "people": people,
        "teams": teams,
        "keep": [("by", key)],
        "years": list(range(this - 3, this + 2)),
    }
