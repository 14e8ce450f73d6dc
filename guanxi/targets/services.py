"""Use cases of targets: the grid (read and save), the split down the tree, and target lookups.

Every write goes through the write path (``save_object`` / ``delete_objects``: change log and
events) inside one transaction; after writing, the rows must lie inside what the writer may
*change* (``restrict(actor, "change")``) — a target for a department or a person outside the
tree the writer manages is refused with a message naming the subject, and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.write import bulk_create_objects, bulk_update_objects, delete_objects
from guanxi.targets.models import Target, month_periods
from guanxi.users.models import Department, User

MONTHS = month_periods()
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")


class Conflict(Exception):
    """Another writer saved the same targets at the same time (the unique constraint said no)."""


# -- subjects ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """A row of the grid: a department (its own figure) or a person."""

    kind: str  # "department" | "user"
    id: int
    label: str
    department_id: int
    path: str = ""  # a department's tree path (its actuals are its subtree's)

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.id}"


def grid_subjects(department: Department) -> list[Subject]:
    """The department's own row, its sub-departments, then its active members (two queries)."""
    rows = [Subject("department", department.pk, str(department), department.pk, department.path)]
    for child in Department.objects.filter(parent=department).order_by("order", "name"):
        rows.append(Subject("department", child.pk, str(child), child.pk, child.path))
    people = User.objects.filter(department=department, is_active=True).order_by("name", "username")
    rows.extend(Subject("user", u.pk, str(u), department.pk) for u in people)
    return rows


def manageable_departments(actor: Any) -> list[Department]:
    """The departments whose grid ``actor`` may open: those of their change scopes on targets
    (本部门, 本部门及下属部门, 全部). Personal scopes manage no department: a rep reads their own."""
    if not (can(actor, "change", Target) and can(actor, "add", Target)):
        return []
    return scope_departments(actor, Target, "change")


def scope_departments(user: Any, model: type[Any], action: str = "view") -> list[Department]:
    """The departments ``user``'s scopes on ``model`` cover whole: every one for 全部 (and
    superusers), the subtree for 本部门及下属部门, their own for 本部门; none for personal scopes."""
    from guanxi.framework.access import get_policy
    from guanxi.users.access import subtree_department_ids

    policy = get_policy()
    if policy.scope_condition(user, model, action) is None:  # superuser, 全部
        return list(Department.objects.order_by("path"))
    grants: list[tuple[str, Any]] = getattr(policy, "_grants", lambda *_a: [])(user, model, action)
    ids: set[int] = set()
    for scope, _role in grants:
        if scope == "department_tree":
            ids.update(subtree_department_ids(user))
        elif scope == "department" and user.department_id:
            ids.add(user.department_id)
    return list(Department.objects.filter(pk__in=ids).order_by("path")) if ids else []


# -- parsing ----------------------------------------------------------------------------------------
def parse_amount(raw: Any, *, money: bool) -> Decimal | None:
    """A cell's value: None when blank; ``ValidationError`` with a message for the cell otherwise."""
    if raw is None:
        return None
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace("¥", "").replace(" ", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": str(raw)[:30]}) from None
    if not value.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": str(raw)[:30]})
    if value < 0:
        raise ValidationError(_("A target cannot be negative."))
    if value > MAX_AMOUNT:
        raise ValidationError(_("This number is too large."))
    if not money and value != value.to_integral_value():
        raise ValidationError(_("This measure counts records: enter a whole number."))
    if money and value != value.quantize(CENT):
        raise ValidationError(_("Enter at most two decimal places."))
    return value.quantize(CENT)


# -- the grid -----------------------------------------------------------------------------------------
@dataclass
class GridResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # "<subject key>:<period>" → message


def existing_targets(
    measure: str, year: int, subjects: Sequence[Subject], *, lock: bool = False
) -> dict[tuple[str, str], Target]:
    """The stored targets of the subjects, by (subject key, period): one query."""
    from django.db.models import Q

    user_ids = [s.id for s in subjects if s.kind == "user"]
    dept_ids = [s.id for s in subjects if s.kind == "department"]
    qs = Target.objects.filter(measure=measure, year=year).filter(
        Q(user_id__in=user_ids) | Q(user__isnull=True, department_id__in=dept_ids)
    )
    if lock:  # in id order (no join, no deadlock between two grids)
        qs = qs.select_for_update(of=("self",)).order_by("pk")
    out = {}
    for target in qs:
        key = f"u{target.user_id}" if target.user_id else f"d{target.department_id}"
        out[(key, target.period)] = target
    return out


def save_grid(
    *, actor: Any, measure: str, year: int, subjects: Sequence[Subject], cells: dict[tuple[str, str], Any]
) -> GridResult:
    """Write the grid's month cells, all or none. ``cells`` maps (subject key, period) to the raw
    text typed; a blank cell removes the target. Cell errors come back in ``GridResult.errors``
    (nothing written); a subject outside the writer's tree raises ``PermissionDenied``."""
    from guanxi.framework.measures import measure as get_measure

    if not can(actor, "change", Target) or not can(actor, "add", Target):
        raise PermissionDenied(_("You may not set targets."))
    money = get_measure(measure).money
    by_key = {s.key: s for s in subjects}
    result = GridResult()
    parsed: dict[tuple[str, str], Decimal | None] = {}
    for (key, period), raw in cells.items():
        if key not in by_key or period not in MONTHS:
            continue
        try:
            parsed[(key, period)] = parse_amount(raw, money=money)
        except ValidationError as error:
            result.errors[f"{key}:{period}"] = error.messages[0]
    if result.errors:
        return result
    try:
        with transaction.atomic():
            stored = existing_targets(measure, year, subjects, lock=True)
            created: list[Target] = []
            changed: list[Target] = []
            doomed: list[Target] = []
            for (key, period), value in parsed.items():
                target = stored.get((key, period))
                if value is None:
                    if target is not None:
                        doomed.append(target)
                elif target is None:
                    created.append(_new_target(by_key[key], measure, year, period, value))
                elif target.amount != value:
                    target.amount = value
                    changed.append(target)
            if doomed and not can(actor, "delete", Target):
                raise PermissionDenied(_("You may not delete targets: fill in the cells you emptied."))
            _write_cells(created, changed, actor)
            ensure_manageable([*created, *changed, *doomed], actor)
            ensure_manageable(doomed, actor, "delete")
            delete_objects(doomed, actor=actor)
            result.created, result.updated, result.deleted = len(created), len(changed), len(doomed)
    except IntegrityError:
        raise Conflict from None
    return result


#: Foreign keys whose per-row existence query ``_write_cells`` leaves to the database.
RELATIONS = [f.name for f in Target._meta.concrete_fields if f.is_relation]


def _write_cells(created: list[Target], changed: list[Target], actor: Any) -> None:
    """The grid's new and changed targets through the write path's bulk mode: one insert and one
    update for the whole grid, not a round trip per cell. Each row is validated first (its
    ``clean``: the measure, whole numbers for counts, the user's department); the subjects come
    from ``grid_subjects`` (rows that exist) and one (subject, measure, year, period) is written
    once under the lock of ``existing_targets``, so the per-row foreign-key and uniqueness
    queries of ``full_clean`` are left to the database's constraints (a race is a ``Conflict``)."""
    people = User.objects.in_bulk({t.user_id for t in [*created, *changed] if t.user_id is not None})
    for target in [*created, *changed]:
        if target.user_id is not None:
            target.user = people[target.user_id]  # clean() and before_write() read the user
        target.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    if created:
        bulk_create_objects(Target, created, actor=actor, check_visible=False)
    if changed:
        bulk_update_objects(Target, changed, actor=actor, check_visible=False)


def _new_target(subject: Subject, measure: str, year: int, period: str, value: Decimal) -> Target:
    if subject.kind == "user":
        return Target(
            user_id=subject.id,
            department_id=subject.department_id,
            measure=measure,
            year=year,
            period=period,
            amount=value,
        )
    return Target(department_id=subject.id, measure=measure, year=year, period=period, amount=value)


def ensure_manageable(targets: Iterable[Target], actor: Any, action: str = "change") -> None:
    """Refuse (``PermissionDenied`` naming the subject) unless ``actor`` may ``action`` every row."""
    rows = [t for t in targets if t.pk is not None]
    if not rows:
        return
    ids = {t.pk for t in rows}
    allowed = set(Target.objects.restrict(actor, action).filter(pk__in=ids).values_list("pk", flat=True))
    refused = [t for t in rows if t.pk not in allowed]
    if refused:
        subject = refused[0].subject
        raise PermissionDenied(
            _("You may not set targets for %(subject)s: it is outside the departments you manage.")
            % {"subject": subject}
        )


# -- splitting ----------------------------------------------------------------------------------------
def allocate(total: Decimal, weights: Sequence[Decimal | int], quantum: Decimal) -> list[Decimal]:
    """``total`` shared in proportion to ``weights`` (evenly when they are all zero), each share
    rounded down to ``quantum`` and the remainder added to the last: the shares add up exactly."""
    if not weights:
        return []
    ws = [Decimal(w) for w in weights]
    if sum(ws) <= 0:
        ws = [Decimal(1)] * len(ws)
    whole = sum(ws)
    shares = [(total * w / whole).quantize(quantum, rounding=ROUND_DOWN) for w in ws]
    shares[-1] += total - sum(shares)
    return shares


def split_year(
    *, actor: Any, measure: str, year: int, department: Department, total: Decimal, method: str = "even"
) -> GridResult:
    """Set ``department``'s yearly figure to ``total`` and distribute it to its sub-departments
    and members (evenly, or by last year's actuals of ``measure``); every yearly figure is spread
    over its 12 months (remainder to December). Exact to the cent (to the unit for counts)."""
    from guanxi.framework.measures import measure as get_measure

    money = get_measure(measure).money
    quantum = CENT if money else Decimal(1)
    subjects = grid_subjects(department)
    own, children = subjects[0], subjects[1:]
    if method == "last_year" and children:
        weights = last_year_actuals(actor, measure, year, children)
    else:
        weights = [Decimal(1)] * len(children)
    cells: dict[tuple[str, str], Any] = {}
    for subject, share in [(own, total), *zip(children, allocate(total, weights, quantum), strict=True)]:
        for period, value in zip(MONTHS, allocate(share, [1] * 12, quantum), strict=True):
            cells[(subject.key, period)] = value
    return save_grid(actor=actor, measure=measure, year=year, subjects=subjects, cells=cells)


def last_year_actuals(actor: Any, measure: str, year: int, subjects: Sequence[Subject]) -> list[Decimal]:
    """Each subject's actual of ``measure`` in ``year - 1`` (a department: its whole subtree)."""
    start, end = datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31)
    actual = SubjectActuals(actor, measure, start, end)
    return [Decimal(actual.of(s)) for s in subjects]


class SubjectActuals:
    """Actuals of one measure over a date range for people and department subtrees (two queries)."""

    def __init__(self, actor: Any, measure: str, start: datetime.date, end: datetime.date) -> None:
        from guanxi.framework.measures import available, totals

        # A writer who may not read the measure's rows (or its amount) sees no actuals, not a 403.
        readable = available(measure, actor)
        owners = totals(measure, actor, start, end, by=("owner",)) if readable else {}
        departments = totals(measure, actor, start, end, by=("department",)) if readable else {}
        self.by_owner = {k[0]: v for k, v in owners.items()}
        self.by_department = {k[0]: v for k, v in departments.items()}
        self._paths: dict[int, str] | None = None

    def of(self, subject: Subject) -> Any:
        if subject.kind == "user":
            return self.by_owner.get(subject.id, 0)
        return self.of_department(subject.path)

    def of_department(self, path: str) -> Any:
        if self._paths is None:
            ids = [i for i in self.by_department if i is not None]
            self._paths = dict(Department.objects.filter(pk__in=ids).values_list("pk", "path"))
        return sum(
            (
                v
                for k, v in self.by_department.items()
                if k is not None and self._paths.get(k, "").startswith(path)
            ),
            0,
        )


# -- lookups ------------------------------------------------------------------------------------------
def months_of(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    """The (year, month) pairs a date range touches."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def target_totals(
    measure: str, start: datetime.date, end: datetime.date, *, user: Any = None
) -> dict[tuple[int | None, int], Decimal]:
    """Targets over the months of [start, end] as {(user id or None, department id): amount}
    (a department's own target has no user). Each subject counts its finest rows of a year —
    months, else quarters, else the whole year — and a quarter or year only when the range
    covers it whole. Reads only the targets ``user`` may view (None: all). One query."""
    years = {y for y, _m in months_of(start, end)}
    return sum_targets(target_rows(measure, years, user=user), start, end)


def target_rows(measure: str, years: Iterable[int], *, user: Any = None) -> list[dict[str, Any]]:
    """The target rows of ``measure`` in ``years`` that ``user`` may view (None: all), as dicts."""
    qs = Target.objects.filter(measure=measure, year__in=set(years))
    if user is not None:
        qs = qs.restrict(user, "view")
    return [dict(row) for row in qs.values("user_id", "department_id", "year", "period", "amount")]


def sum_targets(
    rows: list[dict[str, Any]], start: datetime.date, end: datetime.date
) -> dict[tuple[int | None, int], Decimal]:
    """``target_totals`` over rows already read (a chart reads once and sums per month)."""
    wanted_set = set(months_of(start, end))

    def subject_of(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["user_id"], r["department_id"] if r["user_id"] is None else None, r["year"])

    # Each subject's finest level that year: months, else quarters, else the whole year.
    finest: dict[tuple[Any, ...], str] = {}
    for r in rows:
        level, subject = r["period"][0], subject_of(r)
        if subject not in finest or LEVELS.index(level) < LEVELS.index(finest[subject]):
            finest[subject] = level
    out: dict[tuple[int | None, int], Decimal] = {}
    for r in rows:
        period, year = r["period"], r["year"]
        if period[0] != finest[subject_of(r)]:
            continue
        if period.startswith("m"):
            covered = {(year, int(period[1:]))}
        elif period.startswith("q"):
            q = int(period[1:])
            covered = {(year, m) for m in range(3 * q - 2, 3 * q + 1)}
        else:
            covered = {(year, m) for m in range(1, 13)}
        if not covered <= wanted_set:
            continue
        key = (r["user_id"], r["department_id"])
        out[key] = out.get(key, Decimal(0)) + r["amount"]
    return out


LEVELS = "mqy"  # month, quarter, year: finest first


def measure_from_text(target: Target) -> None:
    """A target's measure as people write it in an import (签约金额, Signed amount) → its key
    (``signed``): the target's ``ImportSpec.prepare``. Titles compare folded as column titles are
    (``imports.fields.header_key``), in both languages."""
    from django.utils import translation

    from guanxi.framework.measures import measures
    from guanxi.imports.fields import header_key

    wanted = header_key(target.measure)
    for found in measures():
        names = {header_key(found.key)}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(header_key(str(found.label)))
        if wanted in names:
            target.measure = found.key
            return
