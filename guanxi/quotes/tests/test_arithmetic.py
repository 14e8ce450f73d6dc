"""Quote arithmetic (hypothesis): exact to the cent, half up, and independent of line order."""

from __future__ import annotations

import decimal
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.framework.money import Money
from guanxi.quotes.arithmetic import discount_percent_of, line_amounts, quote_totals

CENT = Decimal("0.01")

quantities = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
lines = st.tuples(quantities, prices, percents, percents)


def exact(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=decimal.ROUND_HALF_UP)


@settings(deadline=None)
@given(lines)
def test_each_line_is_rounded_half_up_once_per_step(line):
    qty, price, discount, tax = line
    amounts = line_amounts(qty, Money(price, "CNY"), discount, tax)
    gross = exact(qty * price)
    disc = exact(gross * discount / 100)
    net = gross - disc
    assert amounts.gross.amount == gross
    assert amounts.discount.amount == disc
    assert amounts.net.amount == net
    assert amounts.tax.amount == exact(net * tax / 100)
    assert amounts.total.amount == net + exact(net * tax / 100)
    for money in (amounts.gross, amounts.discount, amounts.net, amounts.tax, amounts.total):
        assert money.amount == money.amount.quantize(CENT)  # to the cent, never more digits
        assert money.amount >= 0


@settings(max_examples=60, deadline=None)
@given(st.lists(lines, min_size=0, max_size=30), st.randoms(use_true_random=False))
def test_totals_add_up_and_do_not_depend_on_line_order(rows, rnd):
    amounts = [line_amounts(q, Money(p, "CNY"), d, t) for q, p, d, t in rows]
    totals = quote_totals(amounts, "CNY")
    shuffled = list(amounts)
    rnd.shuffle(shuffled)
    assert quote_totals(shuffled, "CNY") == totals
    assert quote_totals(reversed(amounts), "CNY") == totals
    # the totals add up on paper, to the cent
    assert totals.subtotal - totals.discount == totals.net
    assert totals.net + totals.tax == totals.grand_total
    assert totals.grand_total.amount == sum((a.total.amount for a in amounts), Decimal(0))
    # and no line's rounding moves the grand total by more than half a cent per rounding step
    unrounded = sum(
        (q * p * (1 - d / 100) * (1 + t / 100) for q, p, d, t in rows),
        Decimal(0),
    )
    assert abs(totals.grand_total.amount - unrounded) <= Decimal("0.02") * max(len(rows), 1)


@settings(deadline=None)
@given(percents)
def test_overall_discount_of_one_line_is_its_discount(discount):
    amounts = line_amounts(Decimal(1), Money("10000.00", "CNY"), discount, Decimal(13))
    assert discount_percent_of(quote_totals([amounts], "CNY")) == discount


def test_scenario_three_lines():
    """2 × ¥1,234.56 at 10 % off, 13 % VAT; 3 × ¥0.34 (tax ¥0.1326 → ¥0.13); free text ¥999.99 at 6 %."""
    rows = [
        line_amounts(Decimal(2), Money("1234.56", "CNY"), Decimal(10), Decimal(13)),
        line_amounts(Decimal(3), Money("0.34", "CNY"), Decimal(0), Decimal(13)),
        line_amounts(Decimal(1), Money("999.99", "CNY"), Decimal("0"), Decimal(6)),
    ]
    assert [r.total.amount for r in rows] == [Decimal("2511.10"), Decimal("1.15"), Decimal("1059.99")]
    totals = quote_totals(rows, "CNY")
    assert totals.subtotal == Money("3470.13", "CNY")
    assert totals.discount == Money("246.91", "CNY")
    assert totals.tax == Money("349.02", "CNY")
    assert totals.grand_total == Money("3572.24", "CNY")
