"""The aging report (账龄) and the installments list behind its cells.

What is still open on each installment (``Installment.outstanding_base``, company currency) is
summed in SQL in five buckets by days past the due date — not yet due, 1–30, 31–60, 61–90,
90+ — grouped by customer, owner or department, over the installments of the contracts the
reader may see (``restrict()``). Every cell links to the installments list narrowed by a
condition (``?where=``) that selects exactly the rows summed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape  # the same entities as Django's escape(), without its lazy wrapper
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.framework.exporting import xlsx_response
from guanxi.framework.money import Money, company_currency
from guanxi.receivables.models import OPEN_STATUSES, Installment, InstallmentStatus

GROUPINGS = {
    "customer": ("contract__customer", "contract__customer__name", "contract.customer"),
    "owner": ("contract__owner", "contract__owner__name", "contract.owner"),
    "department": ("contract__department", "contract__department__name", "contract.department"),
}
GROUPING_LABELS = {
    "customer": gettext_lazy("By customer"),
    "owner": gettext_lazy("By owner"),
    "department": gettext_lazy("By department"),
}
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")


def grouping_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in GROUPING_LABELS.items()]


def bucket_labels() -> dict[str, str]:
    return {
        "not_due": _("Not yet due"),
        "d1_30": _("1–30 days"),
        "d31_60": _("31–60 days"),
        "d61_90": _("61–90 days"),
        "d90_plus": _("Over 90 days"),
    }


def bucket_ranges(today: datetime.date) -> dict[str, tuple[datetime.date | None, datetime.date | None]]:
    """(first due date, last due date) of each bucket, inclusive; None = open-ended."""
    day = datetime.timedelta(days=1)
    return {
        "not_due": (today, None),
        "d1_30": (today - 30 * day, today - day),
        "d31_60": (today - 60 * day, today - 31 * day),
        "d61_90": (today - 90 * day, today - 61 * day),
        "d90_plus": (None, today - 91 * day),
    }


def due_range_q(low: datetime.date | None, high: datetime.date | None) -> Q:
    q = Q()
    if low is not None:
        q &= Q(due_on__gte=low)
    if high is not None:
        q &= Q(due_on__lte=high)
    return q


def _range_leaves(low: datetime.date | None, high: datetime.date | None) -> list[dict[str, Any]]:
    if low is not None and high is not None:
        return [{"field": "due_on", "op": "between", "value": [low.isoformat(), high.isoformat()]}]
    if low is not None:
        return [{"field": "due_on", "op": "gte", "value": low.isoformat()}]
    if high is not None:
        return [{"field": "due_on", "op": "lte", "value": high.isoformat()}]
    return []


def cell_condition(by: str, key: Any, low: Any, high: Any) -> dict[str, Any]:
    """The condition selecting the installments one cell sums (``key`` None: the totals row)."""
    leaves: list[dict[str, Any]] = [{"field": "status", "op": "in", "value": [str(s) for s in OPEN_STATUSES]}]
    if key is not None:
        leaves.append({"field": GROUPINGS[by][2], "op": "eq", "value": key})
    leaves.extend(_range_leaves(low, high))
    return {"version": 1, "all": leaves}


def list_url(condition: dict[str, Any], *, base: str | None = None) -> str:
    """The installments list narrowed to ``condition`` (``base``: that list's URL, when the caller
    builds many links and reverses it once)."""
    from guanxi.framework.views.lists import where_url

    return where_url(base or reverse("receivables:installment_list"), condition)


def cell_links(by: str, ranges: dict[str, tuple[Any, Any]], base: str) -> Any:
    """``link(key, bucket)``: ``list_url(cell_condition(by, key, *ranges[bucket]))`` for a group's
    cell, built from each bucket's condition quoted once with the key dropped in — a report of
    thousands of rows would otherwise JSON-encode and quote a whole condition per cell."""
    import json
    from urllib.parse import quote_plus

    marker = "\x00key\x00"  # no group key serialises to this
    dumped_marker = json.dumps(marker, ensure_ascii=False)
    halves = {}
    for bucket in BUCKETS:
        text = json.dumps(
            cell_condition(by, marker, *ranges[bucket]), ensure_ascii=False, separators=(",", ":")
        )
        before, after = text.split(dumped_marker)
        halves[bucket] = (f"{base}?where={quote_plus(before)}", quote_plus(after))

    def link(key: Any, bucket: str) -> str:
        before, after = halves[bucket]
        return before + quote_plus(json.dumps(key, ensure_ascii=False)) + after

    return link


@dataclass
class AgingRow:
    key: Any
    label: str
    cells: list[tuple[Money, str]] = field(default_factory=list)
    total: Money | None = None
    # each cell's column heading, then "Total", escaped once per report: a phone shows the row as
    # a card with every amount under its label (data-label, the table-cards layout)
    cell_labels: tuple[str, ...] = ()

    def html(self) -> str:
        """The row as HTML: its label, the five amounts (a link where something is open) and the
        total. A report has thousands of rows: one string per row, not a template loop per cell."""
        from django.utils.translation import get_language

        language = get_language()
        labels = self.cell_labels or ("",) * (len(self.cells) + 1)
        parts = [f'<th scope="row" class="cell-title">{escape(str(self.label))}</th>']
        for (money, url), label in zip(self.cells, labels, strict=False):
            text = escape(money.format(language))
            if money.amount and url:
                text = f'<a href="{escape(url)}">{text}</a>'
            else:
                text = f'<span class="muted">{text}</span>'
            parts.append(f'<td class="num cell-card" data-label="{label}">{text}</td>')
        if self.total is not None:
            total = escape(self.total.format(language))
            parts.append(f'<td class="num cell-card" data-label="{labels[-1]}"><strong>{total}</strong></td>')
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@dataclass
class AgingReport:
    """``rows`` are every group's (the Excel export) or one page's (the page: ``page`` is the
    ``django.core.paginator.Page`` whose ``object_list`` they are); ``totals`` always cover every
    group."""

    by: str
    today: datetime.date
    columns: list[str]
    rows: list[AgingRow]
    totals: AgingRow
    page: Any = None


#: Groups per page of the report. The sums of every group come from the one query either way (the
#: totals and the order need them); a page builds, links and renders only its own rows — a report
#: of 10,000 customers rendered whole was a 20 MB page that took seconds to build.
PAGE_SIZE = 100


def visible_installments(user: Any) -> QuerySet[Installment]:
    return Installment.objects.restrict(user, "view")


def report(
    user: Any, *, by: str = "customer", today: datetime.date | None = None, page: Any = None
) -> AgingReport:
    """One SQL query: the open amounts per group and bucket, largest total first. With ``page``
    (a page number, as the query string gives it), the rows are that page's ``PAGE_SIZE`` groups."""
    from django.core.paginator import Paginator

    today = today or timezone.localdate()
    key, name, _path = GROUPINGS[by]
    ranges = bucket_ranges(today)
    sums = {b: Sum("outstanding_base", filter=due_range_q(*ranges[b])) for b in BUCKETS}
    grouped = (
        visible_installments(user)
        .filter(status__in=OPEN_STATUSES)
        .values(key, name)
        .annotate(**sums, total=Sum("outstanding_base"))
        .order_by("-total", key)
    )
    currency = company_currency()
    labels = bucket_labels()
    base = reverse("receivables:installment_list")  # once: a report links every cell of every row
    cell_labels = tuple(escape(str(text)) for text in [*(labels[b] for b in BUCKETS), _("Total")])
    link = cell_links(by, ranges, base)
    items = list(grouped)
    column_totals = {
        bucket: sum((item[bucket] or Decimal(0) for item in items), Decimal(0)) for bucket in BUCKETS
    }
    shown = Paginator(items, PAGE_SIZE).get_page(page) if page is not None else None
    rows: list[AgingRow] = []
    for item in shown.object_list if shown is not None else items:
        group = item[key]
        row = AgingRow(key=group, label=item[name] or _("(none)"), cell_labels=cell_labels)
        for bucket in BUCKETS:
            amount = item[bucket] or Decimal(0)
            # a cell with nothing open links nowhere (the page shows it muted): many cells of a
            # long report are empty
            url = link(group, bucket) if group is not None and amount else ""
            row.cells.append((Money(amount, currency), url))
        row.total = Money(item["total"] or 0, currency)
        rows.append(row)
    if shown is not None:
        shown.object_list = rows
    totals = AgingRow(key=None, label=_("Total"))
    for bucket in BUCKETS:
        totals.cells.append(
            (
                Money(column_totals[bucket], currency),
                list_url(cell_condition(by, None, *ranges[bucket]), base=base),
            )
        )
    totals.total = Money(sum(column_totals.values(), Decimal(0)), currency)
    return AgingReport(
        by=by, today=today, columns=[labels[b] for b in BUCKETS], rows=rows, totals=totals, page=shown
    )


def report_workbook_response(data: AgingReport) -> HttpResponse:
    from openpyxl import Workbook

    from guanxi.framework.exporting import neutralize

    book = Workbook()
    sheet = book.active
    sheet.title = _("Aging")[:31]
    sheet.append([str(GROUPING_LABELS[data.by]), *data.columns, _("Total")])
    for row in [*data.rows, data.totals]:
        sheet.append(
            [
                neutralize(str(row.label)),
                *[m.amount for m, _url in row.cells],
                row.total.amount if row.total else 0,
            ]
        )
    return xlsx_response(book, f"aging-{data.today.isoformat()}.xlsx")


def installments_for(user: Any, params: Any) -> tuple[QuerySet[Installment], list[str]]:
    """The installments list's rows for ``params`` (``overdue``, ``status``, ``where``) and the
    problems of a condition that cannot be applied."""
    from django.core.exceptions import ValidationError

    from guanxi.framework import conditions
    from guanxi.framework.views.lists import where_tree

    rows = visible_installments(user).select_related("contract__customer", "contract__owner")
    problems: list[str] = []
    if params.get("overdue") == "1":
        rows = rows.filter(status=InstallmentStatus.OVERDUE)
    status = params.get("status")
    if status in InstallmentStatus.values:
        rows = rows.filter(status=status)
    where = params.get("where")
    if where:
        try:
            rows = rows.filter(conditions.compile(where_tree(where), Installment, user=user))
        except ValidationError as error:
            rows = rows.none()
            problems = [p for texts in error.message_dict.values() for p in texts]
    return rows.order_by("due_on", "contract_id", "sequence"), problems


def installments_workbook_response(rows: QuerySet[Installment]) -> HttpResponse:
    from openpyxl import Workbook

    from guanxi.framework.exporting import neutralize

    book = Workbook()
    sheet = book.active
    sheet.title = _("Installments")[:31]
    sheet.append(
        [
            _("Contract"),
            _("Customer"),
            _("Installment"),
            _("Due date"),
            _("Amount"),
            _("Currency"),
            _("Paid"),
            _("Status"),
        ]
    )
    for row in rows[:50_000]:
        sheet.append(
            [
                neutralize(row.contract.number),
                neutralize(row.contract.customer.name),
                row.sequence,
                row.due_on,
                row.amount_amount,
                row.amount_currency,
                row.paid_amount,
                str(row.get_status_display()),
            ]
        )
    return xlsx_response(book, "installments.xlsx")
