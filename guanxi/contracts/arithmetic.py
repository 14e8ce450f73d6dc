"""Order arithmetic: the quotes' rule without tax, exact to the currency's minor unit.

    gross    = quantity × unit price          (rounded half up)
    discount = gross × discount % / 100       (rounded half up)
    total    = gross − discount

The order's total is the sum of its lines' rounded totals, so it adds up on paper and no order
of lines changes it (``guanxi.quotes.arithmetic`` is the one rule; this module only drops tax).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable

from guanxi.framework.money import Money
from guanxi.quotes.arithmetic import line_amounts

ZERO = decimal.Decimal(0)


def order_line_total(
    quantity: decimal.Decimal, unit_price: Money, discount_percent: decimal.Decimal
) -> Money:
    """One line's total (inputs validated: quantity ≥ 0, 0 ≤ discount ≤ 100)."""
    return line_amounts(quantity, unit_price, discount_percent or ZERO, ZERO).total


def order_total(line_totals: Iterable[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for line in line_totals:
        total += line
    return total
