"""Compile a validated condition tree to a ``Q`` on the model it was validated against.

Model fields become ordinary lookups (``owner__department__in``); custom fields become the same
portable JSON expressions the filtersets use (a text cast of the key, then a numeric cast for
numbers); tags become a ``pk IN (subquery)`` so a row with two matching tags is not repeated.
Dates on date-time columns are local calendar days: "before 2026-03-01" is before local midnight.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    In,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone

from guanxi.framework.conditions.catalogue import CatalogueField, catalogue
from guanxi.framework.conditions.values import local_today, period, resolve_ids, shift, start_of

_COMPARE = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
_EXPR_LOOKUPS = {
    "eq": Exact,
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
    "in": In,
    "contains": IContains,
    "startswith": IStartsWith,
}


def _iso(value: datetime.date) -> str:
    """A bound as custom-field JSON stores it: ISO date, or UTC ISO date-time."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value.isoformat()


class Compiler:
    """Turns one validated tree into a ``Q`` for one user at one moment."""

    def __init__(
        self,
        model: type[models.Model],
        user: Any = None,
        now: datetime.datetime | None = None,
        *,
        fields: dict[str, CatalogueField] | None = None,
    ) -> None:
        self.model = model
        self.user = user
        self.now = now or timezone.now()
        self.today = local_today(self.now)
        # A validated tree names only fields of the user's catalogue: that subset is enough here.
        self.fields = catalogue(model) if fields is None else fields

    def node(self, node: dict[str, Any]) -> models.Q:
        if "all" in node:
            q = models.Q()
            for child in node["all"]:
                q &= self.node(child)
            return q
        if "any" in node:
            if not node["any"]:
                return models.Q()
            q = models.Q(pk__in=[])
            for child in node["any"]:
                q |= self.node(child)
            return q
        if "not" in node:
            return ~self.node(node["not"])
        entry = self.fields[node["field"]]
        return self.leaf(entry, node["op"], node.get("value"))

    def leaf(self, entry: CatalogueField, op: str, value: Any) -> models.Q:
        if entry.kind == "tags":
            return self.tags(entry, op, value)
        if op == "invalid_format":
            return self.invalid_format(entry, value)
        if entry.custom_field is not None:
            return self.custom(entry, op, value)
        path = entry.path
        if op == "is_empty":
            return self.empty(entry, path)
        if op == "is_not_empty":
            return ~self.empty(entry, path)
        if entry.kind in ("user", "department"):
            ids = resolve_ids(value if isinstance(value, list) else [value], self.user)
            single = op in ("eq", "ne") and len(ids) == 1
            q = models.Q(**{path: ids[0]}) if single else models.Q(**{f"{path}__in": ids})
            return ~q if op in ("ne", "not_in") else q
        if entry.kind in ("date", "datetime"):
            return self.dates(entry, path, op, value)
        return self.plain(path, op, value)

    def plain(self, path: str, op: str, value: Any) -> models.Q:
        if op == "eq":
            return models.Q(**{path: value})
        if op == "ne":
            return ~models.Q(**{path: value})
        if op == "in":
            return models.Q(**{f"{path}__in": value})
        if op == "not_in":
            return ~models.Q(**{f"{path}__in": value})
        if op == "contains":
            return models.Q(**{f"{path}__icontains": value})
        if op == "not_contains":
            return ~models.Q(**{f"{path}__icontains": value})
        if op == "startswith":
            return models.Q(**{f"{path}__istartswith": value})
        if op == "between":
            return models.Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
        return models.Q(**{f"{path}__{_COMPARE[op]}": value})

    def invalid_format(self, entry: CatalogueField, name: str) -> models.Q:
        """Filled in, and not in the named format (conditions/formats.py): one regex in SQL."""
        from guanxi.framework.conditions.formats import FORMATS

        pattern = FORMATS[name].pattern
        filled = ~models.Q(**{f"{entry.path}__isnull": True}) & ~models.Q(**{entry.path: ""})
        if entry.custom_field is not None:
            filled &= models.Q(custom_field_data__has_key=entry.custom_field.name)
        return filled & ~models.Q(**{f"{entry.path}__regex": pattern})

    def empty(self, entry: CatalogueField, path: str) -> models.Q:
        q = models.Q(**{f"{path}__isnull": True})
        if entry.kind in ("text", "choice"):
            q |= models.Q(**{path: ""})
        return q

    # -- dates ------------------------------------------------------------------------------

    def day(self, value: str) -> datetime.date:
        return self.today if value == "$today" else datetime.date.fromisoformat(value)

    def bound(self, entry: CatalogueField, day: datetime.date) -> Any:
        """Where ``day`` starts on ``entry``'s column: the date itself, or its local midnight."""
        return start_of(day) if entry.kind == "datetime" else day

    def span(self, entry: CatalogueField, path: str, start: Any, end: Any) -> models.Q:
        """start <= column < end (either side may be None)."""
        q = models.Q()
        if start is not None:
            q &= models.Q(**{f"{path}__gte": start})
        if end is not None:
            q &= models.Q(**{f"{path}__lt": end})
        return q

    def date_span(self, entry: CatalogueField, op: str, value: Any) -> tuple[Any, Any]:
        """The [start, end) of a date operator on ``entry``, in the column's own type."""
        one = datetime.timedelta(days=1)
        b = lambda day: self.bound(entry, day)  # noqa: E731  (a local shorthand)
        if op in ("past", "future"):
            # Before / after this moment on a date-time; before / after today on a date.
            if entry.kind == "datetime":
                return (
                    (None, self.now)
                    if op == "past"
                    else (self.now + datetime.timedelta(microseconds=1), None)
                )
            return (None, self.today) if op == "past" else (self.today + one, None)
        if op in ("today", "this_week", "this_month", "this_quarter", "this_year"):
            first, after = period(op, self.today)
            return b(first), b(after)
        if op in ("within_last", "within_next", "older_than"):
            amount, unit = value["amount"], value["unit"]
            if entry.kind == "datetime":
                moment = self.now
                past = start_of(shift(self.today, -amount, unit)) + (self.now - start_of(self.today))
                future = start_of(shift(self.today, amount, unit)) + (self.now - start_of(self.today))
                if op == "within_last":
                    return past, moment + datetime.timedelta(microseconds=1)
                if op == "within_next":
                    return moment, future
                return None, past
            if op == "within_last":
                return shift(self.today, -amount, unit), self.today + one
            if op == "within_next":
                return self.today, shift(self.today, amount, unit) + one
            return None, shift(self.today, -amount, unit)
        if op == "between":
            return b(self.day(value[0])), b(self.day(value[1]) + one)
        day = self.day(value)
        return {
            "eq": (b(day), b(day + one)),
            "before": (None, b(day)),
            "lt": (None, b(day)),
            "after": (b(day + one), None),
            "gt": (b(day + one), None),
            "gte": (b(day), None),
            "lte": (None, b(day + one)),
        }[op]

    def dates(self, entry: CatalogueField, path: str, op: str, value: Any) -> models.Q:
        if op == "this_month_any_year":
            return models.Q(**{f"{path}__month": self.today.month})
        return self.span(entry, path, *self.date_span(entry, op, value))

    # -- custom fields and tags ---------------------------------------------------------------

    def custom(self, entry: CatalogueField, op: str, value: Any) -> models.Q:
        cf = entry.custom_field
        key = models.Q(**{"custom_field_data__has_key": cf.name}) & ~models.Q(
            **{f"custom_field_data__{cf.name}": None}
        )
        if op == "is_empty":
            return ~key
        if op == "is_not_empty":
            return key
        text = Cast(KT(entry.path), models.TextField())
        if entry.kind in ("boolean", "choice", "relation"):
            values = value if isinstance(value, list) else [value]
            q = models.Q(pk__in=[])
            for v in values:
                q |= models.Q(**{entry.path: v})
            # Always "has the key and …": a bare test of a missing key is NULL in SQL, and
            # NOT NULL is NULL, so {"not": …} would drop rows without the field.
            return ~(key & q) if op in ("ne", "not_in") else key & q
        if entry.kind == "multichoice":
            q = models.Q(pk__in=[])
            for v in value:
                q |= models.Q(IContains(text, f'"{v}"'))
            return ~(q & key) if op == "not_in" else key & q
        if entry.kind in ("integer", "decimal"):
            target: models.Field = (
                models.BigIntegerField()
                if entry.kind == "integer"
                else models.DecimalField(max_digits=30, decimal_places=10)
            )
            expr: Any = Cast(text, target)
            convert = (lambda v: v) if entry.kind == "integer" else decimal.Decimal
            return self.expr_op(expr, op, value, convert, key)
        if entry.kind in ("date", "datetime"):
            if op == "this_month_any_year":
                return key & models.Q(Exact(Substr(text, 6, 2), f"{self.today.month:02d}"))
            start, end = self.date_span(entry, op, value)
            q = key
            if start is not None:
                q &= models.Q(GreaterThanOrEqual(text, _iso(start)))
            if end is not None:
                q &= models.Q(LessThan(text, _iso(end)))
            return q
        return self.expr_op(text, op, value, str, key)

    def expr_op(self, expr: Any, op: str, value: Any, convert: Any, key: models.Q) -> models.Q:
        negate = op in ("ne", "not_in", "not_contains")
        base = {"ne": "eq", "not_in": "in", "not_contains": "contains"}.get(op, op)
        if base == "between":
            q = models.Q(GreaterThanOrEqual(expr, convert(value[0]))) & models.Q(
                LessThanOrEqual(expr, convert(value[1]))
            )
        elif base == "in":
            q = models.Q(In(expr, [convert(v) for v in value]))
        else:
            q = models.Q(_EXPR_LOOKUPS[base](expr, convert(value)))
        # "not X" includes the rows without the field, as "≠" does on a model column.
        return ~(key & q) if negate else key & q

    def tags(self, entry: CatalogueField, op: str, value: Any) -> models.Q:
        manager = self.model._base_manager
        if op in ("is_empty", "is_not_empty"):
            tagged = models.Q(pk__in=manager.filter(tagged_items__isnull=False).values("pk"))
            return ~tagged if op == "is_empty" else tagged
        q = models.Q(pk__in=manager.filter(**{f"{entry.path}__in": value}).values("pk"))
        return ~q if op == "not_in" else q
