"""Quote arithmetic: exact to the currency's minor unit, half up, independent of line order.

Each line is rounded once per step (``Money`` rounds when made):

    gross    = quantity × unit price
    discount = gross × discount % / 100
    net      = gross − discount
    tax      = net × tax rate % / 100
    total    = net + tax

and the quote's totals are the sums of the lines' rounded amounts, so they add up on paper
(subtotal − discount + tax = grand total, to the cent) and no order of lines changes them.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass

from guanxi.framework.money import Money

HUNDRED = decimal.Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    gross: Money
    discount: Money
    net: Money
    tax: Money
    total: Money


@dataclass(frozen=True)
class QuoteTotals:
    subtotal: Money  # Σ gross
    discount: Money  # Σ line discounts
    net: Money  # Σ net (subtotal − discount)
    tax: Money  # Σ tax
    grand_total: Money  # Σ line totals (net + tax)


def line_amounts(
    quantity: decimal.Decimal, unit_price: Money, discount_percent: decimal.Decimal, tax_rate: decimal.Decimal
) -> LineAmounts:
    """The amounts of one line (inputs already validated: quantity ≥ 0, 0 ≤ percentages ≤ 100)."""
    gross = unit_price * quantity
    discount = gross * (decimal.Decimal(discount_percent) / HUNDRED)
    net = gross - discount
    tax = net * (decimal.Decimal(tax_rate) / HUNDRED)
    return LineAmounts(gross=gross, discount=discount, net=net, tax=tax, total=net + tax)


def quote_totals(lines: Iterable[LineAmounts], currency: str) -> QuoteTotals:
    subtotal = discount = net = tax = total = Money.zero(currency)
    for line in lines:
        subtotal += line.gross
        discount += line.discount
        net += line.net
        tax += line.tax
        total += line.total
    return QuoteTotals(subtotal=subtotal, discount=discount, net=net, tax=tax, grand_total=total)


def discount_percent_of(totals: QuoteTotals) -> decimal.Decimal:
    """The quote's overall discount as a percentage of its subtotal (0 for an empty quote)."""
    if not totals.subtotal.amount:
        return decimal.Decimal(0)
    return (totals.discount.amount * HUNDRED / totals.subtotal.amount).quantize(
        decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP
    )
