"""Validation of a condition tree against a model's field catalogue.

``validate`` checks the shape (version, groups, leaves), that each field is in the catalogue the
user may use (unknown, hidden and masked fields are all "not a field you can filter on", so the
message does not reveal which fields exist), that the operator suits the field's kind and that
the value has the shape the operator needs. Errors are collected, keyed by the node's path
(``all.0.any.1``), in the user's language; the result is the tree in canonical form (values
coerced: ``"12"`` → 12 for numbers, ``"true"`` → True).
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from guanxi.framework.conditions.catalogue import CatalogueField, catalogue_for
from guanxi.framework.conditions.values import DATE_TOKENS, DEPARTMENT_TOKENS, UNITS, USER_TOKENS

VERSION = 1
MAX_DEPTH = 8
MAX_NODES = 200
MAX_VALUES = 1000
NO_VALUE_OPS = (
    "is_empty",
    "is_not_empty",
    "today",
    "past",
    "future",
    "this_week",
    "this_month",
    "this_quarter",
    "this_year",
    "this_month_any_year",
)
RELATIVE_OPS = ("within_last", "within_next", "older_than")
LIST_OPS = ("in", "not_in")


class _Bad(Exception):
    """A value error inside one leaf (turned into a message keyed by the leaf's path)."""


def empty_tree() -> dict[str, Any]:
    return {"version": VERSION, "all": []}


def validate(
    tree: Any,
    model: type[models.Model],
    user: Any = None,
    *,
    fields: dict[str, CatalogueField] | None = None,
) -> dict[str, Any]:
    """``tree`` in canonical form, or a ``ValidationError`` keyed by node path. ``fields``: the
    catalogue as ``user`` may use it, when the caller already has it (``catalogue_for``)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(tree, dict):
        raise ValidationError({"condition": [_("A condition must be a JSON object.")]})
    version = tree.get("version", VERSION)
    if version != VERSION:
        message = _("Unsupported condition version %(version)s; this server reads version %(supported)s.")
        raise ValidationError({"version": [message % {"version": version, "supported": VERSION}]})
    body = {k: v for k, v in tree.items() if k != "version"}
    if fields is None:
        fields = catalogue_for(model, user)
    counter = [0]
    clean = _node(body or {"all": []}, "", 0, fields, user, errors, counter) if body else {"all": []}
    if errors:
        raise ValidationError(errors)
    return {"version": VERSION, **clean}


def _node(
    node: Any,
    path: str,
    depth: int,
    fields: dict[str, CatalogueField],
    user: Any,
    errors: dict[str, list[str]],
    counter: list[int],
) -> dict[str, Any]:
    key = path or "condition"
    counter[0] += 1
    if counter[0] > MAX_NODES:
        errors.setdefault("condition", [_("A condition may have at most %(n)d parts.") % {"n": MAX_NODES}])
        return {}
    if depth > MAX_DEPTH:
        errors[key] = [_("Groups may be nested at most %(n)d deep.") % {"n": MAX_DEPTH}]
        return {}
    if not isinstance(node, dict):
        errors[key] = [_("Each part of a condition must be a JSON object.")]
        return {}
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            errors[key] = [_("A group has exactly one of “all”, “any” or “not”.")]
            return {}
        kind = groups[0]
        prefix = f"{path}." if path else ""
        if kind == "not":
            return {"not": _node(node["not"], f"{prefix}not", depth + 1, fields, user, errors, counter)}
        children = node[kind]
        if not isinstance(children, list):
            errors[key] = [_("“%(group)s” takes a list of conditions.") % {"group": kind}]
            return {}
        return {
            kind: [
                _node(child, f"{prefix}{kind}.{i}", depth + 1, fields, user, errors, counter)
                for i, child in enumerate(children)
            ]
        }
    return _leaf(node, key, fields, user, errors)


def _leaf(
    node: dict[str, Any], key: str, fields: dict[str, CatalogueField], user: Any, errors: dict[str, list[str]]
) -> dict[str, Any]:
    unknown = set(node) - {"field", "op", "value"}
    if unknown or "field" not in node or "op" not in node:
        errors[key] = [_("A condition names a “field”, an “op” and (for most operators) a “value”.")]
        return {}
    name, op = node["field"], node["op"]
    entry = fields.get(name) if isinstance(name, str) else None
    if entry is None:
        # The same words for unknown and for hidden fields: the message must not confirm that a
        # field the user may not read exists.
        errors[key] = [_("“%(field)s” is not a field you can filter on.") % {"field": name}]
        return {}
    if op not in entry.ops:
        errors[key] = [
            _("“%(op)s” does not apply to %(label)s; use one of: %(ops)s.")
            % {"op": op, "label": entry.label, "ops": ", ".join(entry.ops)}
        ]
        return {}
    try:
        value = clean_value(entry, op, node.get("value"), user)
    except _Bad as bad:
        errors[key] = [f"{entry.label}: {bad}"]
        return {}
    out = {"field": name, "op": op}
    if op not in NO_VALUE_OPS:
        out["value"] = value
    return out


def clean_value(entry: CatalogueField, op: str, value: Any, user: Any) -> Any:
    """The canonical value of ``op`` on ``entry``; raises ``_Bad`` with a message."""
    if op in NO_VALUE_OPS:
        if value not in (None, "", [], {}):
            raise _Bad(_("this operator takes no value."))
        return None
    if op in RELATIVE_OPS:
        return _relative(value)
    if op == "invalid_format":
        from guanxi.framework.conditions.formats import FORMATS

        if value not in FORMATS:
            raise _Bad(_("the format must be one of: %(formats)s.") % {"formats": ", ".join(FORMATS)})
        return value
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise _Bad(_("“between” takes a list of two values, [from, to]."))
        low, high = (_scalar(entry, v, user) for v in value)
        if low is not None and high is not None and not isinstance(low, str) and low > high:
            raise _Bad(_("the first value of “between” must not be greater than the second."))
        return [low, high]
    if op in LIST_OPS or entry.kind in ("tags", "multichoice"):
        if not isinstance(value, list) or not value:
            raise _Bad(_("choose at least one value."))
        if len(value) > MAX_VALUES:
            raise _Bad(_("at most %(n)d values.") % {"n": MAX_VALUES})
        return [_scalar(entry, v, user, listed=True) for v in value]
    if isinstance(value, list):
        raise _Bad(_("this operator takes one value, not a list."))
    return _scalar(entry, value, user)


def _relative(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"amount", "unit"}:
        raise _Bad(_('give an amount and a unit, e.g. {"amount": 30, "unit": "day"}.'))
    amount, unit = value.get("amount"), value.get("unit", "day")
    if isinstance(amount, bool) or not isinstance(amount, int | str):
        raise _Bad(_("the amount must be a whole number."))
    try:
        amount = int(amount)
    except ValueError:
        raise _Bad(_("the amount must be a whole number.")) from None
    if not 1 <= amount <= 10000:
        raise _Bad(_("the amount must be between 1 and 10000."))
    if unit not in UNITS:
        raise _Bad(_("the unit must be one of: %(units)s.") % {"units": ", ".join(UNITS)})
    return {"amount": amount, "unit": unit}


def _scalar(entry: CatalogueField, value: Any, user: Any, *, listed: bool = False) -> Any:
    kind = entry.kind
    if kind in ("user", "department"):
        tokens = USER_TOKENS if kind == "user" else DEPARTMENT_TOKENS
        if isinstance(value, str) and value.startswith("$"):
            if value not in tokens:
                raise _Bad(
                    _("unknown token “%(token)s”; use one of: %(tokens)s.")
                    % {"token": value, "tokens": ", ".join(tokens)}
                )
            return value  # resolved at compile time, for the viewer
        return _id(value)
    if kind == "relation":
        return _id(value)
    if kind in ("date", "datetime"):
        if value in DATE_TOKENS:
            return value
        if isinstance(value, datetime.date):
            return value.isoformat()[:10]
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise _Bad(_("enter a date as YYYY-MM-DD or “$today”."))
        return parsed.isoformat()
    if kind == "integer":
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise _Bad(_("enter a whole number.")) from None
    if kind == "decimal":
        try:
            number = decimal.Decimal(str(value).strip()) if not isinstance(value, bool) else None
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _Bad(_("enter a number."))
        return str(number)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise _Bad(_("enter true or false."))
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _Bad(_("enter text."))
    text = str(value)
    if len(text) > 255:
        raise _Bad(_("at most 255 characters."))
    if kind in ("choice", "multichoice") and entry.choices is not None:
        for option, _label in entry.choices():
            if str(option) == text:
                return option  # as stored (an integer choice stays an integer)
        raise _Bad(_("“%(value)s” is not one of the options.") % {"value": text})
    return text


def person_tokens(node: Any) -> list[str]:
    """The user and department tokens a tree uses (they need a viewer to mean anything)."""
    if isinstance(node, dict):
        return [t for key, child in node.items() if key != "field" for t in person_tokens(child)]
    if isinstance(node, list):
        return [t for child in node for t in person_tokens(child)]
    return [node] if node in (*USER_TOKENS, *DEPARTMENT_TOKENS) else []


def _id(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(_("enter a record id (a whole number)."))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _Bad(_("enter a record id (a whole number).")) from None
    if number < 1:
        raise _Bad(_("enter a record id (a whole number)."))
    return number
