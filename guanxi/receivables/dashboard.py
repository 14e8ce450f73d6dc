"""The aging buckets on the sales dashboard (``guanxi.targets.dashboards.register_sales_chart``).

What is still open on the installments the viewer may see, today, in the aging report's five
buckets (not yet due … over 90 days), within the dashboard's department when one is chosen. Each
bar links to the installments list narrowed to exactly the installments it sums — the same
conditions as the aging report's totals row (``aging.cell_condition``), so the chart, the report
and the list agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.dashboard import MONEY, Chart
from guanxi.receivables.aging import (
    BUCKETS,
    bucket_labels,
    bucket_ranges,
    cell_condition,
    due_range_q,
    list_url,
    visible_installments,
)
from guanxi.receivables.models import OPEN_STATUSES
from guanxi.targets.dashboards import Scope, bar_chart, register_sales_chart


@register_sales_chart("receivables_aging", weight=65)
def aging_buckets(scope: Scope) -> Chart | None:
    """Open amounts per aging bucket as of today (the period picker does not apply: aging is now)."""
    from guanxi.contracts.models import Contract

    if not can(scope.user, "view", Contract):
        return None
    today = timezone.localdate()
    ranges = bucket_ranges(today)
    rows = visible_installments(scope.user).filter(status__in=OPEN_STATUSES)
    extra: list[dict[str, Any]] = []
    if scope.department is not None:
        rows = rows.filter(contract__department__in=scope.subtree())
        extra = [{"field": "contract.department", "op": "in", "value": sorted(scope.subtree())}]
    sums = rows.aggregate(**{b: Sum("outstanding_base", filter=due_range_q(*ranges[b])) for b in BUCKETS})
    labels = bucket_labels()
    values = [sums[b] or Decimal(0) for b in BUCKETS]
    links = []
    for bucket in BUCKETS:
        condition = cell_condition("customer", None, *ranges[bucket])
        condition["all"].extend(extra)
        links.append(list_url(condition))
    return bar_chart(
        _("Receivables aging (today)"),
        "clock-dollar",
        [labels[b] for b in BUCKETS],
        [(_("Outstanding"), values, links)],
        empty=_("Nothing is outstanding."),
        units=(MONEY,),
    )
