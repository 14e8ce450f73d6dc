"""Business measures: one declaration per number that targets, forecasts, leaderboards and
dashboards read ("signed amount", "回款", "new customers"…), so each is computed in one place.

An app declares its measures in ``<app>/measures.py`` (autodiscovered after the entity
registry)::

    register_measure(Measure(
        key="signed",
        label=_("Signed amount"),
        model=Contract,
        date_field="signed_on",
        sum_field="amount_base",
        condition={"version": 1, "all": [{"field": "status", "op": "in", "value": ["active"]}]},
        list_name="contracts:contract_list",
    ))

``totals(key, user, start, end, by=("month", "owner"))`` answers in one SQL query over the rows
``user`` may view (``restrict()``), with the measure's condition and the period (both ends
inclusive) as one condition tree; ``rows_link`` is the list URL narrowed by that same tree (plus
the owner or department of a cell), so a number and the list it links to cannot disagree.
Money measures sum a base-currency column (``MoneyField``'s ``<name>_base``) and are refused to a
user who may not read that amount in clear (a hidden or masked field would leak through a sum).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import TruncMonth

GROUPS = ("month", "owner", "department")


@dataclass(frozen=True)
class Measure:
    """A number over an entity's rows in a period: a sum of a base-currency column or a count."""

    key: str
    label: Any
    model: type[models.Model]
    date_field: str
    sum_field: str | None = None
    condition: dict[str, Any] | None = None
    owner_field: str = "owner"
    department_field: str = "department"
    list_name: str = ""

    @property
    def money(self) -> bool:
        """A sum of amounts in the company currency (else a count of rows)."""
        return self.sum_field is not None

    @property
    def value_field(self) -> str | None:
        """The field whose read rule guards the sum (the money field behind ``<name>_base``)."""
        if self.sum_field is None:
            return None
        return self.sum_field.removesuffix("_base")

    def tree(self, start: datetime.date, end: datetime.date, **cell: Any) -> dict[str, Any]:
        """The condition tree of the rows counted for the period (and a cell's owner/department,
        or ``departments``: a list of department ids, a department's subtree)."""
        leaves = list((self.condition or {}).get("all", []))
        leaves.append(
            {"field": self.date_field, "op": "between", "value": [start.isoformat(), end.isoformat()]}
        )
        for group, field in (("owner", self.owner_field), ("department", self.department_field)):
            if cell.get(group) is not None:
                leaves.append({"field": field, "op": "eq", "value": cell[group]})
        if cell.get("departments") is not None:
            leaves.append({"field": self.department_field, "op": "in", "value": sorted(cell["departments"])})
        return {"version": 1, "all": leaves}


_MEASURES: dict[str, Measure] = {}


def register_measure(measure: Measure) -> Measure:
    """Add ``measure`` to the registry (a second registration of a key replaces the first)."""
    if measure.condition is not None and set(measure.condition) - {"version", "all"}:
        raise ValueError(f"Measure {measure.key!r}: the condition must be an 'all' tree.")
    _MEASURES[measure.key] = measure
    return measure


def unregister_measure(key: str) -> None:
    """Remove a measure (tests that register their own)."""
    _MEASURES.pop(key, None)


def measures() -> list[Measure]:
    """Every registered measure, in registration order."""
    return list(_MEASURES.values())


def measure(key: str) -> Measure:
    """The measure registered under ``key`` (``LookupError`` when there is none)."""
    try:
        return _MEASURES[key]
    except KeyError:
        raise LookupError(f"No measure {key!r}; registered: {', '.join(_MEASURES) or 'none'}.") from None


def is_registered(key: str) -> bool:
    return key in _MEASURES


def available(key: str, user: Any) -> bool:
    """Whether ``user`` may read ``key``: they may view its rows and read its amount in clear."""
    from guanxi.framework.access import can
    from guanxi.framework.fieldaccess import HIDDEN, MASKED, rules_for

    if key not in _MEASURES:
        return False
    item = _MEASURES[key]
    if not can(user, "view", item.model):
        return False
    return item.value_field is None or rules_for(user, item.model).get(item.value_field) not in (
        HIDDEN,
        MASKED,
    )


def totals(
    key: str, user: Any, start: datetime.date, end: datetime.date, *, by: Sequence[str] = ()
) -> dict[tuple[Any, ...], Any]:
    """The measure per group of ``by`` (``month``, ``owner``, ``department``, in that key order)
    over the rows ``user`` may view dated ``start``..``end``; money as ``Decimal``, counts as ``int``.
    Groups without rows are absent; ``by=()`` gives one key, ``()`` (absent when nothing counts)."""
    from guanxi.framework import conditions

    item = measure(key)
    unknown = [group for group in by if group not in GROUPS]
    if unknown:
        raise ValueError(f"Unknown grouping {unknown[0]!r}; use {', '.join(GROUPS)}.")
    if not available(key, user):
        raise PermissionDenied
    columns = {"owner": f"{item.owner_field}_id", "department": f"{item.department_field}_id"}
    # The system compiles the measure's own tree (its fields are the measure's, not the user's
    # choice); the user's access comes from restrict(), which the tree never replaces.
    rows = item.model.objects.restrict(user, "view").filter(  # type: ignore[attr-defined]
        conditions.compile(item.tree(start, end), item.model)
    )
    names = []
    for group in by:
        if group == "month":
            rows = rows.annotate(measure_month=TruncMonth(item.date_field))
            names.append("measure_month")
        else:
            names.append(columns[group])
    value = models.Sum(item.sum_field) if item.sum_field else models.Count("pk")
    if not names:  # values() with no names would group by every column
        grouped = [rows.order_by().aggregate(measure_value=value)]
    else:
        grouped = list(rows.order_by().values(*names).annotate(measure_value=value))
    result: dict[tuple[Any, ...], Any] = {}
    for row in grouped:
        if not row["measure_value"]:
            continue  # a period with no rows (aggregate() gives None or 0)
        group_key = tuple(_month(row[name]) if name == "measure_month" else row[name] for name in names)
        result[group_key] = _amount(item, row["measure_value"])
    return result


def total(key: str, user: Any, start: datetime.date, end: datetime.date) -> Any:
    """The measure over the whole period (0 when nothing counts)."""
    zero: Any = Decimal(0) if measure(key).money else 0
    return totals(key, user, start, end).get((), zero)


def rows_link(
    key: str,
    start: datetime.date,
    end: datetime.date,
    *,
    owner_id: int | None = None,
    department_id: int | None = None,
    department_ids: Sequence[int] | None = None,
) -> str:
    """The measure's list narrowed (``?where=``) to exactly the rows a cell counts
    (``department_ids``: the rows of any of those departments, a subtree)."""
    from guanxi.framework.dashboard import where_link

    item = measure(key)
    if not item.list_name:
        return ""
    tree = item.tree(start, end, owner=owner_id, department=department_id, departments=department_ids)
    return where_link(item.list_name, tree)


def _amount(item: Measure, value: Any) -> Any:
    if item.sum_field is None:
        return int(value)
    # SQLite sums decimals as floats-with-text: round to the column's places, as PostgreSQL does.
    places = item.model._meta.get_field(item.sum_field).decimal_places  # type: ignore[union-attr]
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def _month(value: Any) -> datetime.date:
    # TruncMonth of a DateTimeField is an aware datetime (in the current time zone).
    return value.date() if isinstance(value, datetime.datetime) else value


def autodiscover() -> None:
    """Import every app's ``measures.py``."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("measures")
