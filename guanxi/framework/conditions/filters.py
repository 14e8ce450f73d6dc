"""Between a list's filter parameters and condition trees, both ways.

A list's filter panel speaks query parameters (``?level=A&owner=3``); saved views, segments and
rules speak condition trees. ``params_to_tree`` turns parameters into a tree through the
FilterSet's own declarations (a filter's ``field_name`` and ``lookup_expr`` name a catalogue
field and an operator), so it needs no per-list table and follows a renamed parameter; filters
computed by a method declare their tree in the FilterSet's ``condition_filters``. What cannot be
converted is returned apart ("needs attention"), never dropped. ``tree_to_params`` goes back, for
the filter panel's initial values, and returns the part of the tree no filter can show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from guanxi.framework.conditions.catalogue import catalogue
from guanxi.framework.conditions.tree import validate

LIST_PARAMS = ("columns", "sort", "per_page", "page", "view", "q", "export")
_LOOKUP_OPS = {
    "exact": "eq",
    "startswith": "startswith",
    "istartswith": "startswith",
    "icontains": "contains",
    "gte": "gte",
    "lte": "lte",
    "gt": "gt",
    "lt": "lt",
    "date__gte": "gte",
    "date__lte": "lte",
    "in": "in",
}


def attention_reasons() -> dict[str, str]:
    """Why a stored filter parameter needs attention, by the code saved with it."""
    return {
        "unknown_filter": _("This filter no longer exists on the list."),
        "not_a_condition": _("This filter cannot be written as a condition."),
        "invalid": _("Its value is not valid."),
        "unknown_list": _("This list no longer exists."),
    }


@dataclass(frozen=True)
class ConditionFilter:
    """How a method filter reads as a condition: ``to_node(values)`` gives the tree node of the
    parameter's values (None: no condition), ``from_node(node)`` the values back (None: not this
    filter's node)."""

    to_node: Callable[[list[str]], dict[str, Any] | None]
    from_node: Callable[[dict[str, Any]], list[str] | None]


def filterset_for(model: type[models.Model]) -> Any:
    """An unbound FilterSet of ``model``'s list (its filters, custom fields included), or None."""
    from django.urls import get_resolver

    from guanxi.framework.views import entity_views_for

    try:
        config = entity_views_for(model._meta.label_lower)
    except KeyError:
        # Lists register when their URL modules are imported; outside a request (a migration,
        # a task) load the URLconf once and look again.
        get_resolver().url_patterns  # noqa: B018
        try:
            config = entity_views_for(model._meta.label_lower)
        except KeyError:
            return None
    return config.filterset(None, queryset=model._default_manager.none())


def _field_filter(model: type[models.Model], filter_: Any) -> tuple[str, str, bool] | None:
    """(catalogue field, operator, takes a list) of a plain filter, or None."""
    from guanxi.framework.filtersets import CustomFieldFilter

    if isinstance(filter_, CustomFieldFilter):
        name = f"cf.{filter_.cf.name}"
    elif filter_.field_name == "tagged_items__tag__slug":
        name = "tags"
    else:
        name = (filter_.field_name or "").replace("__", ".")
    entry = catalogue(model).get(name)
    if entry is None or getattr(filter_, "method", None):
        return None
    op = _LOOKUP_OPS.get(filter_.lookup_expr)
    if op is None:
        return None
    multiple = isinstance(
        filter_, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter
    )
    if isinstance(filter_, CustomFieldFilter):
        if entry.kind in ("choice", "multichoice", "tags"):
            return name, "in", True
        if entry.kind == "text":
            return name, "contains", False
    if entry.kind in ("multichoice", "tags"):
        return name, "in", True
    if multiple and op == "eq":
        return name, "in", True
    return name, op, False


def params_to_tree(
    model: type[models.Model], filters: dict[str, list[str]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The condition tree of a list's filter parameters, and the parameters it could not convert
    (``[{"param", "values", "reason", "detail"}]``; reasons from ``attention_reasons()``)."""
    filterset = filterset_for(model)
    special = getattr(filterset, "condition_filters", {}) if filterset is not None else {}
    nodes: list[dict[str, Any]] = []
    attention: list[dict[str, Any]] = []
    for param, raw in filters.items():
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if str(v) != ""]
        if not values or param in LIST_PARAMS:
            continue
        node: dict[str, Any] | None = None
        reason, detail = "unknown_filter", ""
        filter_ = filterset.filters.get(param) if filterset is not None else None
        if param in special:
            node = special[param].to_node(values)
            if node is None:
                continue  # "any": the parameter does not narrow the list
        elif filter_ is not None:
            mapped = _field_filter(model, filter_)
            if mapped is None:
                reason = "not_a_condition"
            else:
                name, op, many = mapped
                value: Any = values if many else values[0]
                if isinstance(filter_, django_filters.BooleanFilter) and value in ("unknown", ""):
                    continue
                node = {"field": name, "op": op, "value": value}
        if node is not None:
            try:
                validate({"all": [node]}, model)
            except ValidationError as error:
                reason, detail = "invalid", "; ".join(m for ms in error.message_dict.values() for m in ms)
                node = None
        if node is None:
            # A code, translated when shown (the view may be shared across languages).
            attention.append({"param": param, "values": values, "reason": reason, "detail": detail})
        else:
            nodes.append(node)
    return {"version": 1, "all": nodes}, attention


def tree_to_params(
    model: type[models.Model], tree: dict[str, Any]
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Filter-panel parameters showing ``tree``'s top-level conditions, and the tree of the
    conditions no filter can show (applied on top of the panel's filters)."""
    filterset = filterset_for(model)
    body = {k: v for k, v in (tree or {}).items() if k != "version"}
    if filterset is None or set(body) != {"all"}:
        return {}, {"version": 1, **body} if body else {"version": 1, "all": []}
    special = getattr(filterset, "condition_filters", {})
    plain: dict[tuple[str, str], str] = {}
    for param, filter_ in filterset.filters.items():
        if param in special or param in LIST_PARAMS:
            continue
        mapped = _field_filter(model, filter_)
        if mapped is not None:
            plain.setdefault((mapped[0], mapped[1]), param)
    params: dict[str, list[str]] = {}
    rest: list[dict[str, Any]] = []
    for node in body["all"]:
        found = None
        for param, spec in special.items():
            values = spec.from_node(node)
            if values is not None and param not in params:
                found = (param, values)
                break
        if found is None and isinstance(node, dict) and "field" in node:
            param = plain.get((node["field"], node["op"]))
            value = node.get("value")
            if param is not None and param not in params and not _has_token(value):
                found = (param, [str(v) for v in value] if isinstance(value, list) else [_param_text(value)])
        if found is None:
            rest.append(node)
        else:
            params[found[0]] = found[1]
    return params, {"version": 1, "all": rest}


def _has_token(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.startswith("$") for v in values)


def _param_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def yes_no_filter(node: dict[str, Any], *, negatable: bool = True) -> ConditionFilter:
    """A yes/no method filter meaning ``node`` (yes) or, when ``negatable``, its negation (no)."""

    def to_node(values: list[str]) -> dict[str, Any] | None:
        flag = values[0].lower()
        if flag in ("true", "1", "yes", "on"):
            return node
        if flag in ("false", "0", "no", "off") and negatable:
            return {"not": node}
        return None

    def from_node(found: dict[str, Any]) -> list[str] | None:
        if found == node:
            return ["true"]
        if negatable and found == {"not": node}:
            return ["false"]
        return None

    return ConditionFilter(to_node, from_node)
