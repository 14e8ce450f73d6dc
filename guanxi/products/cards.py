"""Cards on generic pages: the price list page's prices (see guanxi.framework.cards)."""

from __future__ import annotations

from typing import Any

from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.products.models import PriceList, PriceListItem

CARD_ROWS = 20


@register_card("detail.main", "products/price_list_items_card.html", weight=20)
def price_list_items_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The prices on a price list, by SKU: the first ``CARD_ROWS`` and a link to all of them."""
    if not isinstance(obj, PriceList) or request is None or not can(request.user, "view", PriceListItem):
        return None
    items = PriceListItem.objects.restrict(request.user, "view").filter(price_list=obj)
    rows = list(items.select_related("product").order_by("product__sku", "valid_from", "pk")[: CARD_ROWS + 1])
    count = len(rows) if len(rows) <= CARD_ROWS else items.count()
    return {
        "price_items": rows[:CARD_ROWS],
        "price_count": count,
        "can_add_price": can(request.user, "add", PriceListItem),
    }
