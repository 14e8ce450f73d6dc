"""Cards on generic pages: the customer 360° page's deals card and the deal page's actions (see
guanxi.framework.cards). The deal team is the record "Team" card every owned record has
(``users/org/team_panel.html``, titled by ``Deal.team_title``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal

CARD_ROWS = 10


@register_card("detail.main", "sales/customer_deals_card.html", weight=20)
def customer_deals_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The customer's deals the reader may see: open ones first, with the open pipeline's total."""
    from guanxi.customers.models import Customer

    if not isinstance(obj, Customer) or request is None or not can(request.user, "view", Deal):
        return None
    deals = Deal.objects.restrict(request.user, "view").filter(customer=obj)
    totals = deals.aggregate(
        open_count=Count("pk", filter=Q(stage__kind=StageKind.OPEN)),
        open_total=Sum("amount_base", filter=Q(stage__kind=StageKind.OPEN)),
        won_total=Sum("amount_base", filter=Q(stage__kind=StageKind.WON)),
    )
    rows = list(
        deals.select_related("stage", "owner").order_by("closed_at", "-created_at", "-pk")[:CARD_ROWS]
    )  # NULL closed_at (open deals) sort first on SQLite and last on PostgreSQL: see below
    rows.sort(key=lambda d: (d.closed_at is not None, -(d.closed_at or d.created_at).timestamp()))
    from guanxi.sales.board import _money

    return {
        "customer_deals": rows,
        "deal_totals": {
            "open_count": totals["open_count"],
            "open_total": _money(totals["open_total"]),
            "won_total": _money(totals["won_total"]),
        },
        "can_add_deal": can(request.user, "add", Deal),
    }


@register_card("detail.actions", "sales/deal_pipeline_action.html", weight=30)
def deal_pipeline_action(request: Any, obj: Any) -> dict[str, Any] | None:
    """ "Change pipeline" on a deal's page, for whoever may change the deal and works with more
    than one pipeline (the page lists where it can go)."""
    if not isinstance(obj, Deal) or request is None or not can(request.user, "change", Deal):
        return None
    from guanxi.sales.services import visible_pipelines

    if not visible_pipelines(request.user).exclude(pk=obj.pipeline_id).exists():
        return None
    if not _may_change(request, obj):
        return None
    return {"deal": obj}


def _may_change(request: Any, deal: Deal) -> bool:
    """Whether the reader may change ``deal`` (asked once per request by the deal page's cards)."""
    known = request.__dict__.setdefault("_deals_may_change", {})
    if deal.pk not in known:
        known[deal.pk] = Deal.objects.restrict(request.user, "change").filter(pk=deal.pk).exists()
    return known[deal.pk]
