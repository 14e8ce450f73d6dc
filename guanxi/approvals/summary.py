"""What is being approved: the summary card of a request's page and the lists' key amount.

A type declares its summary beside its flow (``declare_summary``, ``guanxi.approvals.declare``).
Every value is read as the reader may read it on the record (``guanxi.framework.fieldaccess``):
a masked field is masked, a hidden one left out. The summary is shown only to a reader who may
view the document — the approvers of its current step may, through the engine's row access
(``guanxi.approvals.access``), even outside their data scope; nobody else gains anything here.

Cost: the document and what its fields follow in one query, its rows (the first ``limit`` of
them) in one more, a count only when there are more; the lists' key amounts one query per
document type on the page.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst

from guanxi.approvals.declare import SUMMARIES, SummaryDeclaration, SummaryLines
from guanxi.framework import fieldaccess
from guanxi.framework.money import Money, UnknownCurrency
from guanxi.framework.moneyfields import money_field, shown_money
from guanxi.framework.querysets import model_queryset


@dataclass
class Column:
    name: str
    label: str
    numeric: bool = False


@dataclass
class Lines:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    more: int = 0


@dataclass
class Summary:
    document: models.Model
    rows: list[tuple[str, Any]]
    lines: Lines | None = None
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _number(value: Any, name: str) -> str:
    text = format(decimal.Decimal(value).normalize(), "f")
    return f"{text}%" if name.endswith("percent") else text


def read_value(user: Any, obj: models.Model, name: str, *, convert: bool = True) -> tuple[bool, Any]:
    """(readable, value) of field ``name`` of ``obj`` for ``user``: a money field formatted with
    its currency, a foreign key as its label, a choice as its display, a percentage with ``%``;
    masked as the rules say; ``(False, None)`` for a hidden field."""
    model = type(obj)
    money = money_field(model, name)
    if money is not None:
        rule = fieldaccess.rules_for(user, model).get(money.name)
        if rule == fieldaccess.HIDDEN:
            return False, None
        if convert:
            shown = shown_money(obj, money)
        else:
            amount = money.value_of(obj)
            shown = amount.format() if amount is not None else None
        return True, fieldaccess.ruled(rule, model, money.name, shown)
    if not fieldaccess.visible(user, model, name):
        return False, None
    found = model._meta.get_field(name)
    if found.many_to_one or found.one_to_one:
        related = getattr(obj, name)
        value: Any = fieldaccess.label(user, related) if related is not None else None
    else:
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(obj, name)
        if isinstance(value, decimal.Decimal):
            value = _number(value, name)
    return True, fieldaccess.display(user, model, name, value)


def _is_numeric(model: type[models.Model], name: str) -> bool:
    if money_field(model, name) is not None:
        return True
    try:
        found = model._meta.get_field(name)
    except Exception:
        return False
    return isinstance(found, models.DecimalField | models.IntegerField | models.FloatField)


def _label(model: type[models.Model], name: str) -> str:
    money = money_field(model, name)
    if money is not None:
        return capfirst(str(money.verbose_name))
    return capfirst(str(getattr(model._meta.get_field(name), "verbose_name", name)))


def _readable(user: Any, model: type[models.Model], name: str) -> bool:
    # a money field's rule is under its own name (``fieldaccess.rules_for``), a line's rolled-up
    # money under its total's too
    return fieldaccess.visible(user, model, name)


def _lines(user: Any, document: models.Model, declared: SummaryLines) -> Lines:
    queryset = declared.rows(document)
    model = queryset.model
    shown = [name for name in declared.fields if name in declared.computed or _readable(user, model, name)]
    columns = [
        Column(
            name,
            capfirst(str(declared.computed[name][0])) if name in declared.computed else _label(model, name),
            name not in declared.computed and _is_numeric(model, name),
        )
        for name in shown
    ]
    found = list(queryset[: declared.limit + 1])
    more = 0
    if len(found) > declared.limit:
        found = found[: declared.limit]
        more = queryset.count() - declared.limit
    rows = []
    for row in found:
        cells = []
        for name in shown:
            if name in declared.computed:
                cells.append(declared.computed[name][1](row))
            else:
                cells.append(read_value(user, row, name, convert=False)[1])
        rows.append(cells)
    title = capfirst(str(declared.title or model._meta.verbose_name_plural))
    return Lines(title=title, columns=columns, rows=rows, more=more)


def readable_document(user: Any, approval: Any) -> Any:
    """The request's document if ``user`` may view it (their scope, or the approvers' row access),
    with what its summary follows loaded in the same query; else None."""
    model = approval.content_type.model_class()
    if model is None:
        return None
    queryset = model_queryset(model).restrict(user, "view").filter(pk=approval.object_id)
    declared = SUMMARIES.get(model)
    if declared is not None and declared.select_related:
        queryset = queryset.select_related(*declared.select_related)
    return queryset.first()


def summary_for(user: Any, document: Any) -> Summary | None:
    """The summary ``user`` reads of ``document`` (already known readable), or None when its type
    declares none."""
    if document is None:
        return None
    declared: SummaryDeclaration | None = SUMMARIES.get(type(document))
    if declared is None:
        return None
    rows = []
    for name in declared.fields:
        readable, value = read_value(user, document, name)
        if readable:
            rows.append((_label(type(document), name), value))
    lines = _lines(user, document, declared.lines) if declared.lines is not None else None
    return Summary(document=document, rows=rows, lines=lines, url=document.get_absolute_url())


def label_amounts(user: Any, requests: Sequence[Any]) -> Sequence[Any]:
    """Set ``key_amount`` on each of ``requests``: its document's declared key amount as ``user``
    may read it ("" for a type that declares none, a document they may not view, or a hidden
    amount). One query per document type of the page."""
    wanted: dict[int, set[Any]] = {}
    for request in requests:
        request.key_amount = ""
        wanted.setdefault(request.content_type_id, set()).add(request.object_id)
    found: dict[tuple[int, Any], Any] = {}
    for type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        declared = SUMMARIES.get(model) if model is not None else None
        if model is None or declared is None or not declared.amount:
            continue
        money = money_field(model, declared.amount)
        if money is None:
            continue
        rule = fieldaccess.rules_for(user, model).get(money.name)
        if rule == fieldaccess.HIDDEN:
            continue
        rows = (
            model_queryset(model)
            .restrict(user, "view")
            .filter(pk__in=pks)
            .values_list("pk", money.amount_attname, money.currency_attname)
        )
        for pk, amount, currency in rows:
            if amount is None:
                continue
            try:
                text = Money(amount, currency).format()
            except (UnknownCurrency, ValueError):
                continue
            found[type_id, pk] = fieldaccess.ruled(rule, model, money.name, text)
    for request in requests:
        request.key_amount = found.get((request.content_type_id, request.object_id), "")
    return requests
