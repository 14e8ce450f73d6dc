"""Money arithmetic of 回款, property-tested: a plan's installments add up to the contract to the
cent, and partial receipts spread over installments leave every amount exact — paid plus open
equals the installment, the paid amounts add up to the receipts, whatever the amounts and order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.receivables.models import Installment, InstallmentStatus
from guanxi.receivables.services import equal_parts
from guanxi.receivables.tests.conftest import confirm, planned, record, signed_contract

cents = st.integers(min_value=1, max_value=10**12).map(lambda n: Decimal(n).scaleb(-2))


@settings(max_examples=200, deadline=None)
@given(total=cents, count=st.integers(min_value=1, max_value=60))
def test_equal_parts_add_up_to_the_total_to_the_cent(total, count):
    parts = equal_parts(total, count, "CNY")
    assert len(parts) == count
    assert sum(parts, Decimal(0)) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
    share = parts[0]
    assert all(part == share for part in parts[:-1])
    assert Decimal(0) <= parts[-1] - share < Decimal("0.01") * count


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=1, max_value=10**9), count=st.integers(min_value=1, max_value=12))
def test_yen_has_no_minor_unit(total, count):
    parts = equal_parts(Decimal(total), count, "JPY")
    assert sum(parts, Decimal(0)) == total and all(part == part.to_integral_value() for part in parts)


@pytest.mark.django_db
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(min_value=300, max_value=10**8).map(lambda n: Decimal(n).scaleb(-2)),
    count=st.integers(min_value=1, max_value=5),
    shares=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=5),
)
def test_partial_receipts_across_installments_stay_exact(c, amount, count, shares):
    contract = signed_contract(c.rep1, c.customer, str(amount))
    installments = planned(contract, c.rep1, count=count)
    # receipts that together pay a random part of the contract, in cents, never more than it
    weights = sum(shares)
    paid_total = (amount * Decimal(min(weights, 100)) / 100).quantize(Decimal("0.01"))
    receipts = [
        (paid_total * share / weights).quantize(Decimal("0.01")) for share in shares[:-1]
    ]  # fmt: skip
    receipts.append(paid_total - sum(receipts, Decimal(0)))
    for value in receipts:
        if value > 0:
            confirm(c.finance, record(c.finance, contract, str(value)))
    rows = list(Installment.objects.filter(contract=contract).order_by("sequence"))
    assert (
        sum((r.amount_amount for r in rows), Decimal(0))
        == amount
        == sum((i.amount_amount for i in installments), Decimal(0))
    )
    assert sum((r.paid_amount for r in rows), Decimal(0)) == paid_total
    for row in rows:
        assert Decimal(0) <= row.paid_amount <= row.amount_amount
        assert row.paid_amount + row.remaining == row.amount_amount
        if row.paid_amount == row.amount_amount:
            assert row.status == InstallmentStatus.PAID
        elif row.paid_amount > 0:
            assert row.status == InstallmentStatus.PARTIAL
    # oldest-due first: no installment is paid while an earlier one is still open
    open_seen = False
    for row in rows:
        if open_seen:
            assert row.paid_amount == 0
        open_seen = open_seen or row.paid_amount < row.amount_amount
