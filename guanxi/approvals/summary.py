"""What is being approved: the summary card of a request's page and the lists' key amount.

A type declares its summary beside its flow (``declare_summary``, ``guanxi.approvals.declare``).
Every value is read as the reader may read it on the record (``guanxi.framework.fieldaccess``):
a masked field is masked, a hidden one left out. The summary is shown only to a reader who may
read it (``summary_documents``, the one rule of the page, the lists and the API): a reader who may
view the document (the approvers of its current step may, through the engine's row access in
``guanxi.approvals.access``), and anyone named on one of the request's steps or who decided on it
— after the decision too, even outside their scope: the summary only, never the record itself.

Cost: the document and what its fields follow in one query, its rows (the first ``limit`` of
them) in one more, a count only when there are more; the lists' key amounts one query per
document type on the page, plus one when some are read only as their approver.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.text import capfirst

from guanxi.approvals.declare import SUMMARIES, SummaryDeclaration, SummaryLines
from guanxi.framework import fieldaccess
from guanxi.framework.money import Money, UnknownCurrency
from guanxi.framework.moneyfields import MoneyField, money_field, shown_money
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


def asked_requests(user: Any) -> QuerySet[Any]:
    """The requests ``user`` was asked to decide (named on one of their steps, escalation
    included) or decided (approved or rejected a step): their summary stays theirs to read,
    after the decision too."""
    from guanxi.approvals.models import ActionKind, ApprovalAction, ApprovalRequest, ApprovalStep

    if not getattr(user, "pk", None):
        return ApprovalRequest.objects.none()
    named = ApprovalStep.objects.filter(approvers=user).values("request_id")
    decided = ApprovalAction.objects.filter(
        actor=user, kind__in=[ActionKind.APPROVED, ActionKind.REJECTED]
    ).values("request_id")
    return ApprovalRequest.objects.filter(models.Q(pk__in=named) | models.Q(pk__in=decided))


def summary_documents(
    user: Any, requests: Sequence[Any], *, load: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
) -> dict[int, Any]:
    """``{request pk: document}`` for those of ``requests`` (already readable by ``user``) whose
    summary ``user`` may read — the one rule of the request page, the lists' amounts and the API:

    * a document they may view (their scope, or the approvers' row access while they must
      decide); it carries ``record_viewable = True`` (the record's link is theirs to follow);
    * the document of a request they were asked to decide or decided (``asked_requests``), even
      outside their scope and after the decision: ``record_viewable = False`` — the summary only,
      read through their field rules; the record itself stays out of their reach.

    ``load`` narrows or widens each type's queryset (``select_related``, ``only``). One query per
    document type, plus one for the requests whose document they may not view, if any."""
    wanted: dict[int, list[Any]] = {}
    for request in requests:
        wanted.setdefault(request.content_type_id, []).append(request)
    found: dict[int, Any] = {}
    unviewable: list[tuple[Any, Any]] = []
    for type_id, group in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        viewable = model_queryset(model).restrict(user, "view").filter(pk=OuterRef("pk"))
        # Only the documents of requests on the page that they were asked about join the
        # viewable ones (a subquery, not a query); which request was asked is settled below.
        asked = asked_requests(user).filter(pk__in=[r.pk for r in group]).values("object_id")
        queryset: QuerySet[Any] = (
            model_queryset(model)
            .filter(pk__in={r.object_id for r in group})
            .annotate(record_viewable=Exists(viewable))
            .filter(models.Q(record_viewable=True) | models.Q(pk__in=asked))
        )
        if load is not None:
            queryset = load(queryset)
        documents = {document.pk: document for document in queryset}
        for request in group:
            document = documents.get(request.object_id)
            if document is None:
                continue
            if document.record_viewable:
                found[request.pk] = document
            else:
                unviewable.append((request, document))
    if unviewable:
        # Exact per request: another request on the same document may not have been theirs.
        mine = set(
            asked_requests(user).filter(pk__in=[r.pk for r, _d in unviewable]).values_list("pk", flat=True)
        )
        for request, document in unviewable:
            if request.pk in mine:
                found[request.pk] = document
    return found


def summary_document(user: Any, approval: Any) -> Any:
    """The document of ``approval`` whose summary ``user`` may read (``summary_documents``),
    with what its summary follows loaded in the same query; else None."""
    model = approval.content_type.model_class()
    declared = SUMMARIES.get(model) if model is not None else None

    def load(queryset: QuerySet[Any]) -> QuerySet[Any]:
        if declared is not None and declared.select_related:
            return queryset.select_related(*declared.select_related)
        return queryset

    return summary_documents(user, [approval], load=load).get(approval.pk)


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
    # An approver reading the summary outside their scope gets no link to the record (it would 404).
    url = document.get_absolute_url() if getattr(document, "record_viewable", True) else ""
    return Summary(document=document, rows=rows, lines=lines, url=url)


def label_amounts(user: Any, requests: Sequence[Any]) -> Sequence[Any]:
    """Set ``key_amount`` on each of ``requests``: its document's declared key amount as ``user``
    may read it ("" for a type that declares none, a document whose summary is not theirs to read
    (``summary_documents``), or a hidden amount). One query per document type of the page."""
    columns: dict[int, tuple[type[models.Model], MoneyField, str | None]] = {}
    for request in requests:
        request.key_amount = ""
        if request.content_type_id in columns:
            continue
        model = ContentType.objects.get_for_id(request.content_type_id).model_class()
        declared = SUMMARIES.get(model) if model is not None else None
        if model is None or declared is None or not declared.amount:
            continue
        money = money_field(model, declared.amount)
        if money is not None:
            columns[request.content_type_id] = (
                model,
                money,
                fieldaccess.rules_for(user, model).get(money.name),
            )
    shown = [
        r
        for r in requests
        if r.content_type_id in columns and columns[r.content_type_id][2] != fieldaccess.HIDDEN
    ]

    def load(queryset: QuerySet[Any]) -> QuerySet[Any]:
        _model, money, _rule = columns[ContentType.objects.get_for_model(queryset.model).pk]
        return queryset.only("pk", money.amount_attname, money.currency_attname)

    documents = summary_documents(user, shown, load=load)
    for request in shown:
        document = documents.get(request.pk)
        if document is None:
            continue
        model, money, rule = columns[request.content_type_id]
        amount = getattr(document, money.amount_attname)
        if amount is None:
            continue
        try:
            text = Money(amount, getattr(document, money.currency_attname)).format()
        except (UnknownCurrency, ValueError):
            continue
        request.key_amount = fieldaccess.ruled(rule, model, money.name, text)
    return requests
