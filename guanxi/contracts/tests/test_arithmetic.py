"""Order totals (hypothesis): every line rounded half up once per step, the stored order total is
the exact sum of the lines' totals to the cent, whatever the lines and their order — through the
real write path and database."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.contracts.arithmetic import order_line_total, order_total
from guanxi.contracts.models import Order, OrderLine
from guanxi.contracts.services import OrderLineInput, save_order_lines
from guanxi.contracts.tests.conftest import new_order
from guanxi.framework.money import Money
from guanxi.framework.testing.fixtures import as_user

CENT = Decimal("0.01")

quantities = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
lines = st.tuples(quantities, prices, percents)


def exact(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def expected_line(quantity: Decimal, price: Decimal, discount: Decimal) -> Decimal:
    gross = exact(quantity * price)
    return gross - exact(gross * discount / 100)


@settings(deadline=None)
@given(lines)
def test_a_line_is_gross_minus_discount_each_rounded_half_up(line):
    quantity, price, discount = line
    total = order_line_total(quantity, Money(price, "CNY"), discount)
    assert total.amount == expected_line(quantity, price, discount)
    assert total.amount == total.amount.quantize(CENT) and total.amount >= 0


@settings(max_examples=60, deadline=None)
@given(st.lists(lines, max_size=30), st.randoms(use_true_random=False))
def test_the_total_is_the_sum_of_the_lines_in_any_order(rows, rnd):
    totals = [order_line_total(q, Money(p, "CNY"), d) for q, p, d in rows]
    shuffled = list(totals)
    rnd.shuffle(shuffled)
    total = order_total(totals, "CNY")
    assert order_total(shuffled, "CNY") == total
    assert total.amount == sum((expected_line(q, p, d) for q, p, d in rows), Decimal(0))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(lines, min_size=1, max_size=8))
def test_the_stored_order_total_is_exact_to_the_cent(c, rows):
    order = new_order(c.rep1, c.customer)
    inputs = [
        OrderLineInput(description=f"行{n}", quantity=str(q), unit_price=str(p), discount_percent=str(d))
        for n, (q, p, d) in enumerate(rows, start=1)
    ]
    with as_user(c.rep1):
        save_order_lines(order, inputs, actor=c.rep1)
        save_order_lines(order, list(reversed(inputs)), actor=c.rep1)  # the same lines, reversed
    stored = Order.objects.get(pk=order.pk)
    expected = sum((expected_line(q, p, d) for q, p, d in rows), Decimal(0))
    assert stored.total_amount == expected
    assert stored.total_base == expected  # the company currency: no conversion
    assert sum(OrderLine.objects.filter(order=order).values_list("total_amount", flat=True)) == expected
