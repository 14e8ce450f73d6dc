"""The Money value type: one rounding rule, arithmetic within a currency, exact allocation."""

import decimal
import random

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from guanxi.framework.money import CurrencyMismatch, Money, UnknownCurrency, total

D = decimal.Decimal
cents = st.integers(min_value=-(10**12), max_value=10**12)
amounts = cents.map(lambda c: Money(D(c) / 100, "CNY"))


def test_rounds_once_half_up_to_the_minor_unit():
    assert Money("12.345", "CNY").amount == D("12.35")
    assert Money("12.344", "CNY").amount == D("12.34")
    assert Money("-12.345", "CNY").amount == D("-12.35")  # half away from zero
    assert Money("2.5", "JPY").amount == D("3")
    assert Money(0.1, "USD").amount == D("0.10")  # a float through its repr, not its binary value
    assert Money("7", "cny").currency == "CNY"


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True, None, [1]])
def test_refuses_what_is_not_an_amount(bad):
    with pytest.raises(ValueError):
        Money(bad, "CNY")


def test_refuses_unknown_currencies():
    with pytest.raises(UnknownCurrency):
        Money("1", "XYZ")


def test_arithmetic_stays_within_one_currency():
    assert Money("1.10", "CNY") + Money("2.20", "CNY") == Money("3.30", "CNY")
    assert Money("5", "CNY") - Money("0.01", "CNY") == Money("4.99", "CNY")
    assert Money("10", "CNY") * 3 == Money("30", "CNY")
    assert Money("10", "CNY") / 3 == Money("3.33", "CNY")
    assert Money("10", "CNY") * D("0.125") == Money("1.25", "CNY")
    with pytest.raises(CurrencyMismatch):
        Money("1", "CNY") + Money("1", "USD")
    with pytest.raises(CurrencyMismatch):
        assert Money("1", "CNY") < Money("1", "USD")
    with pytest.raises(TypeError):
        Money("1", "CNY") * Money("1", "CNY")
    with pytest.raises(TypeError):
        Money("1", "CNY") + 1
    assert Money("1", "CNY") != Money("1", "USD")


def test_is_immutable():
    money = Money("1", "CNY")
    with pytest.raises(AttributeError):
        money.amount = D("2")


def test_formats_per_language():
    with override("zh-hans"):
        assert str(Money("1234.5", "CNY")) == "¥1,234.50"
        assert str(Money("-1234.5", "CNY")) == "-¥1,234.50"
        assert str(Money("9.99", "USD")) == "USD 9.99"
    with override("en"):
        assert str(Money("1234.5", "CNY")) == "CNY 1,234.50"
        assert str(Money("1234567", "JPY")) == "JPY 1,234,567"
    assert Money("12.5", "CNY").to_json() == {"amount": "12.50", "currency": "CNY"}


def test_split_gives_the_odd_cents_to_the_first_parts():
    assert Money("10", "CNY").split(3) == [Money("3.34", "CNY"), Money("3.33", "CNY"), Money("3.33", "CNY")]
    assert Money("100", "CNY").allocate([30, 70]) == [Money("30", "CNY"), Money("70", "CNY")]
    assert Money("-0.05", "CNY").split(2) == [Money("-0.03", "CNY"), Money("-0.02", "CNY")]
    with pytest.raises(ValueError):
        Money("1", "CNY").allocate([0, 0])
    with pytest.raises(ValueError):
        Money("1", "CNY").split(0)


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_exact_to_the_cent(value):
    """The stored amount is the half-up rounding of the input to the cent, exactly."""
    money = Money(value, "CNY")
    assert money.amount == value.quantize(D("0.01"), rounding=decimal.ROUND_HALF_UP)
    assert money.amount.as_tuple().exponent == -2
    assert abs(money.amount - value) <= D("0.005")


@given(amounts, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_allocation_adds_up_exactly_and_stays_within_a_cent_of_each_share(money, ratios):
    if sum(ratios) == 0:
        ratios = [*ratios[:-1], 1]
    parts = money.allocate(ratios)
    assert len(parts) == len(ratios)
    assert total(parts, "CNY") == money
    for part, ratio in zip(parts, ratios, strict=True):
        exact = money.amount * ratio / sum(ratios)
        assert abs(part.amount - exact) < D("0.01")


@given(amounts, st.integers(min_value=1, max_value=60))
def test_instalments_differ_by_at_most_one_cent(money, n):
    parts = money.split(n)
    assert sum(parts, Money.zero("CNY")) == money
    assert max(p.amount for p in parts) - min(p.amount for p in parts) <= D("0.01")


@given(st.lists(amounts, max_size=40), st.randoms(use_true_random=False))
def test_sums_are_stable_under_reordering(values, rng: random.Random):
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert total(values, "CNY") == total(shuffled, "CNY") == total(reversed(values), "CNY")
    assert total(values, "CNY").amount == sum((v.amount for v in values), D(0))


@given(
    amounts,
    st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=8, allow_nan=False, allow_infinity=False),
)
def test_conversion_rounds_once_half_up(money, rate):
    converted = money.convert("USD", rate)
    exact = money.amount * rate
    assert converted.currency == "USD"
    assert converted.amount == exact.quantize(D("0.01"), rounding=decimal.ROUND_HALF_UP)
    assert abs(converted.amount - exact) <= D("0.005")
