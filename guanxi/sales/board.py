"""The kanban of a pipeline: columns of stages, drag-and-drop (SortableJS) and keyboard moves.

``/sales/pipelines/<id>/board/`` shows one column per stage with its count, total and weighted
total (one aggregate query) and the first ``PAGE`` cards of each column (one index range read per
stage: ``deal_stage_entered``); a column pages on scroll through ``…/column/<stage>/?after=…``.
The deal list's filters, search and saved views apply (the same ``DealFilterSet`` and
``ObjectListView.filtered``). The won and lost columns hold the deals closed in a recent period
(``?closed_within=30|90|365|all``, 30 days by default): counting every deal ever closed buried
this period's result. Their counts, totals and scroll pages follow the period; open columns
do not. Moves post to ``/sales/deals/<id>/move/`` and answer JSON the board
script (``static/js/board.js``) reads: 200 with the new column summaries, 400 with field messages
(a missing reason), 422 naming the fields the stage requires (the script opens them), 403, 409 when
someone else moved or changed the deal first.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.choices import active_choices
from guanxi.framework.access import can
from guanxi.framework.http import AuthedRequest
from guanxi.framework.money import Money, company_currency
from guanxi.framework.statemachine import TransitionConflict
from guanxi.framework.views.lists import ObjectListView, SavedViewNotFound, style_filter_form
from guanxi.framework.write import StaleWrite, version_of
from guanxi.sales import services
from guanxi.sales.choices import CLOSE_REASON_LIST, StageKind
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.models.pipeline import REQUIRABLE_FIELDS, requirable_label
from guanxi.sales.views import DealViews

PAGE = 20  # cards per column on the first screen and per scroll page

# How far back the won and lost columns reach (``?closed_within=``): the value, its caption.
CLOSED_WITHIN = (
    ("30", gettext_lazy("Last 30 days")),
    ("90", gettext_lazy("Last 90 days")),
    ("365", gettext_lazy("Last 365 days")),
    ("all", gettext_lazy("All time")),
)
DEFAULT_CLOSED_WITHIN = "30"


def closed_within(request: Any) -> tuple[str, datetime.datetime | None]:
    """The period of the closed columns the request asks for (an unknown value reads as the
    default) and the moment it starts (None: every deal ever closed)."""
    value = request.GET.get("closed_within") or DEFAULT_CLOSED_WITHIN
    if value not in dict(CLOSED_WITHIN):
        value = DEFAULT_CLOSED_WITHIN
    return value, None if value == "all" else timezone.now() - datetime.timedelta(days=int(value))


def in_closed_period(rows: Any, stages: list[Stage], since: datetime.datetime | None) -> Any:
    """``rows`` less the deals of the won/lost stages among ``stages`` closed before ``since``;
    deals in open stages all stay. The one rule the summaries and every column page apply."""
    closed = [stage.pk for stage in stages if stage.kind != StageKind.OPEN]
    if since is None or not closed:
        return rows
    return rows.filter(~Q(stage_id__in=closed) | Q(closed_at__gte=since))


def _money(value: Any) -> str:
    return str(Money(value or Decimal(0), company_currency()))


def stage_summaries(rows: Any, stages: list[Stage], *, user: Any) -> dict[int, dict[str, Any]]:
    """Count, total and weighted total per stage of the filtered rows, in one query. The totals
    are left blank for a ``user`` who may not read deal amounts in clear (a column of one card
    would tell its amount)."""
    from guanxi.framework.fieldaccess import unreadable

    amounts_shown = "amount" not in unreadable(user, Deal)
    found = {
        row["stage_id"]: row
        for row in rows.order_by().values("stage_id").annotate(n=Count("pk"), total=Sum("amount_base"))
    }
    out = {}
    for stage in stages:
        row = found.get(stage.pk, {})
        total = row.get("total") or Decimal(0)
        out[stage.pk] = {
            "count": row.get("n", 0),
            "total": _money(total) if amounts_shown else "",
            "weighted": _money(total * stage.probability / 100) if amounts_shown else "",
        }
    return out


def read_amounts(cards: list[Deal], user: Any) -> list[Deal]:
    """Each card gets ``card_amount``, its amount as ``user`` may read it (``fieldaccess.display``:
    masked under a masked rule) and ``amount_shown``, false under a hidden rule (no amount line)."""
    from guanxi.framework.fieldaccess import display, visible

    amount_shown = visible(user, Deal, "amount")
    for card in cards:
        card.amount_shown = amount_shown  # type: ignore[attr-defined]
        card.card_amount = display(user, Deal, "amount", str(card.amount) if card.amount else None)  # type: ignore[attr-defined]
    return cards


def column_cards(rows: Any, stage: Stage, after: str | None = None, *, user: Any) -> list[Deal]:
    """One page of a column, newest in the stage first; ``after`` is the last card's cursor; each
    card's amount as ``user`` may read it (``read_amounts``)."""
    page = (
        rows.filter(stage_id=stage.pk)
        .select_related("customer", "owner")
        .prefetch_related(None)  # the list's prefetches (tags…): a card shows none of them
        .order_by("-stage_entered_at", "-pk")
    )
    if after:
        stamp, _sep, pk = after.rpartition("~")
        when = parse_datetime(stamp)
        if when is None or not pk.isdigit():
            raise Http404
        page = page.filter(Q(stage_entered_at__lt=when) | Q(stage_entered_at=when, pk__lt=int(pk)))
    cards = list(page[: PAGE + 1])
    for card in cards:
        card.stage = stage  # the card's staleness reads its stage: no query per card
    return read_amounts(cards, user)


def cursor(deal: Deal) -> str:
    return f"{deal.stage_entered_at.isoformat() if deal.stage_entered_at else ''}~{deal.pk}"


class BoardView(ObjectListView):
    """A pipeline's kanban; the deal list's filters and saved views select its cards."""

    config = DealViews

    def get(self, request: Any, pk: int) -> HttpResponse:  # type: ignore[override]
        pipelines = list(services.visible_pipelines(request.user))
        pipeline = next((p for p in pipelines if p.pk == pk), None)
        if pipeline is None:
            raise Http404(_("This pipeline does not exist or is not yours to use."))
        try:
            rows, filterset, params, saved = self.filtered(request)
        except SavedViewNotFound as missing:
            raise Http404(str(missing)) from None
        stages = list(pipeline.stages.order_by("order", "pk"))
        period, since = closed_within(request)
        rows = in_closed_period(rows.filter(pipeline=pipeline), stages, since)
        summaries = stage_summaries(rows, stages, user=request.user)
        may_change = can(request.user, "change", Deal)
        columns = []
        for stage in stages:
            cards = column_cards(rows, stage, user=request.user)
            columns.append(_column(stage, cards, summaries[stage.pk], request, pipeline))
        style_filter_form(filterset.form)
        kept = params.copy()
        if period == DEFAULT_CLOSED_WITHIN:
            kept.pop("closed_within", None)  # the default: no parameter, as before
        else:
            kept["closed_within"] = period
        query = kept.urlencode()
        return render(
            request,
            "sales/board.html",
            {
                **self.base_context(),
                "pipeline": pipeline,
                "pipelines": pipelines,
                "columns": columns,
                "filterset": filterset,
                "saved_view": saved,
                "params": params,
                "query": query,
                "may_change": may_change,
                "reasons": active_choices(CLOSE_REASON_LIST),
                "closed_within": period,
                "closed_choices": CLOSED_WITHIN,
                "closed_caption": dict(CLOSED_WITHIN)[period],
                "requirable": [
                    (name, requirable_label(name), _input_type(name)) for name in REQUIRABLE_FIELDS
                ],
            },
        )


def _column(
    stage: Stage, cards: list[Deal], summary: dict[str, Any], request: Any, pipeline: Pipeline
) -> dict:
    more = len(cards) > PAGE
    cards = cards[:PAGE]
    return {
        "stage": stage,
        "cards": cards,
        "summary": summary,
        "next": cursor(cards[-1]) if more and cards else "",
    }


def _input_type(name: str) -> str:
    return {"amount_amount": "number", "expected_close_date": "date", "description": "textarea"}.get(
        name, "text"
    )


@login_required
def default_board(request: HttpRequest) -> HttpResponse:
    """The menu's "Deal board": the user's first visible pipeline (the default one first)."""
    pipeline = services.visible_pipelines(request.user).first()
    if pipeline is None:
        raise Http404(_("No pipeline is set up yet."))
    return redirect("sales:pipeline_board", pk=pipeline.pk)


@login_required
def column(request: AuthedRequest, pk: int, stage_id: int) -> HttpResponse:
    """The next page of one column (the board asks when its last card scrolls into view)."""
    view = BoardView(config=DealViews)
    view.setup(request)
    if not can(request.user, "view", Deal):
        raise PermissionDenied
    pipeline = get_object_or_404(services.visible_pipelines(request.user), pk=pk)
    stage = get_object_or_404(Stage, pk=stage_id, pipeline=pipeline)
    try:
        rows, _f, _p, _s = view.filtered(request)
    except SavedViewNotFound as missing:
        raise Http404(str(missing)) from None
    _period, since = closed_within(request)
    rows = in_closed_period(rows.filter(pipeline=pipeline), [stage], since)
    cards = column_cards(rows, stage, request.GET.get("after") or None, user=request.user)
    more = len(cards) > PAGE
    cards = cards[:PAGE]
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "sales/_board_cards.html",
        {
            "cards": cards,
            "stage": stage,
            "next": cursor(cards[-1]) if more and cards else "",
            "pipeline": pipeline,
            "query": query.urlencode(),
        },
    )


class _FieldsForm(forms.ModelForm):
    """The fields a stage may require, parsed as the edit form parses them."""

    class Meta:
        model = Deal
        fields = list(REQUIRABLE_FIELDS)


@require_POST
@login_required
def move(request: HttpRequest, pk: int) -> JsonResponse:
    """Move a deal to ``stage`` (POST: ``stage``, ``reason``, ``note``, ``_version`` and any
    required field's value); JSON for the board script."""
    deal = Deal.objects.restrict(request.user, "view").select_related("stage").filter(pk=pk).first()
    if deal is None:
        return JsonResponse(
            {"error": "missing", "message": _("This deal does not exist or is hidden from you.")}, status=404
        )
    stage_id = request.POST.get("stage", "")
    target = (
        Stage.objects.filter(pk=stage_id, pipeline_id=deal.pipeline_id).first()
        if stage_id.isdigit()
        else None
    )
    if target is None:
        return JsonResponse(
            {
                "error": "invalid",
                "message": _("Choose a stage of the deal's pipeline."),
                "errors": {"stage": [_("Choose a stage of the deal's pipeline.")]},
            },
            status=400,
        )
    fields = _posted_fields(request, deal, target)
    if isinstance(fields, JsonResponse):
        return fields
    try:
        services.move_deal(
            deal,
            target,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            fields=fields,
            expected_version=request.POST.get("_version") or None,
        )
    except services.RequiredFieldsMissing as missing:
        return JsonResponse(
            {
                "error": "required",
                "message": missing.message_dict["transition"][0],
                "fields": missing.fields,
            },
            status=422,
        )
    except (TransitionConflict, StaleWrite) as conflict:
        message = conflict.messages[0] if isinstance(conflict, ValidationError) else str(conflict)
        return JsonResponse({"error": "conflict", "message": message}, status=409)
    except PermissionDenied as denied:
        return JsonResponse(
            {"error": "denied", "message": str(denied) or _("You may not move this deal.")}, status=403
        )
    except ValidationError as invalid:
        errors = invalid.message_dict if hasattr(invalid, "error_dict") else {"stage": invalid.messages}
        first = next(iter(errors.values()))[0]
        return JsonResponse({"error": "invalid", "message": first, "errors": errors}, status=400)
    deal.refresh_from_db()
    return JsonResponse(
        {
            "ok": True,
            "version": version_of(deal),
            "message": _("Moved to “%(stage)s”.") % {"stage": target.label},
            "card": render_to_string(
                "sales/_board_card.html",
                {"deal": read_amounts([_with_stage(deal)], request.user)[0], "pipeline": deal.pipeline},
                request=request,
            ),
        }
    )


def _with_stage(deal: Deal) -> Deal:
    return Deal.objects.select_related("customer", "owner", "stage").get(pk=deal.pk)


def _posted_fields(request: HttpRequest, deal: Deal, target: Stage) -> dict[str, Any] | JsonResponse:
    """The required fields' values the dialog sent (only names the target stage requires)."""
    names = [n for n in target.required_fields or [] if n in request.POST]
    if not names:
        return {}
    data = {n: request.POST.get(n) for n in names}
    form = _FieldsForm(data, instance=Deal(amount_currency=deal.amount_currency))
    for name in form.fields:
        form.fields[name].required = False
    form.is_valid()
    errors = {n: form.errors[n] for n in names if n in form.errors}
    if errors:
        first = next(iter(errors.values()))[0]
        return JsonResponse({"error": "invalid", "message": first, "errors": errors}, status=400)
    return {n: form.cleaned_data.get(n) for n in names if form.cleaned_data.get(n) not in (None, "")}
