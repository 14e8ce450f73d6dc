"""Prices: which price applies to a product for a customer level, a currency and a day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q

from guanxi.framework.money import Money, rate_on
from guanxi.products.models import PriceList, PriceListItem, Product


@dataclass(frozen=True)
class AppliedPrice:
    price: Money
    source: PriceListItem | None  # None: the product's list price (converted when needed)


def _dated(prefix: str, day: datetime.date) -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def applicable_price_lists(*, currency: str, level: str, day: datetime.date) -> list[PriceList]:
    """Active lists in ``currency`` valid on ``day`` for ``level``: the level's own lists first.

    Reference data for pricing (read by the quote's owner through the quote), not a user list."""
    rows = PriceList.objects.filter(
        _dated("", day), is_active=True, currency=currency, customer_level__in=[level or "", ""]
    )
    return sorted(rows, key=lambda pl: (pl.customer_level != (level or ""), pl.pk))


def applicable_price(
    product: Product,
    *,
    currency: str,
    day: datetime.date,
    level: str = "",
    price_list: PriceList | None = None,
) -> AppliedPrice | None:
    """The unit price of ``product``: from ``price_list`` (or the first applicable list for the
    level and currency) when it prices the product on ``day``, else the list price, converted
    at ``day``'s exchange rate when it is in another currency. None without a known rate."""
    lists = (
        [price_list]
        if price_list is not None
        else applicable_price_lists(currency=currency, level=level, day=day)
    )
    if lists:
        items = {
            item.price_list_id: item
            for item in PriceListItem.objects.filter(
                _dated("", day), product=product, price_list__in=lists
            ).order_by(F("valid_from").asc(nulls_first=True))  # the latest-starting dated price wins
        }
        for pl in lists:
            if pl.pk in items and items[pl.pk].price_currency == currency:
                item = items[pl.pk]
                return AppliedPrice(item.price, item)
    base = product.list_price
    if base is None:
        return AppliedPrice(Money.zero(currency), None)
    if base.currency == currency:
        return AppliedPrice(base, None)
    source_rate = rate_on(base.currency, day)  # company currency per unit of the list price's
    target_rate = rate_on(currency, day)
    if source_rate is None or target_rate is None:
        return None
    return AppliedPrice(Money(base.amount * source_rate / target_rate, currency), None)
