"""Payment plans, receipts and their allocation: exact amounts, derived statuses, the caps, and
nothing written on a refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.receivables import services
from guanxi.receivables.models import (
    Installment,
    InstallmentStatus,
    Receipt,
    ReceiptAllocation,
    ReceiptStatus,
)
from guanxi.receivables.tests.conftest import confirm, planned, record, signed_contract, today


def test_split_is_exact_to_the_cent_with_the_remainder_on_the_last(c):
    contract = signed_contract(c.rep1, c.customer, "100000.00")
    rows = planned(contract, c.rep1, count=3, first=datetime.date(2027, 1, 31))
    assert [r.amount_amount for r in rows] == [Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34")]
    assert [r.sequence for r in rows] == [1, 2, 3]
    assert [r.due_on for r in rows] == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
    ]
    assert all(r.status == InstallmentStatus.PENDING for r in rows)


def test_installments_cannot_add_up_to_more_than_the_contract(c):
    contract = signed_contract(c.rep1, c.customer, "100000.00")
    planned(contract, c.rep1, count=2)
    before = snapshot(Installment)
    with pytest.raises(ValidationError) as refused, as_user(c.rep1):
        services.add_installment(contract, actor=c.rep1, due_on=today(), amount="0.01")
    assert "more than the contract amount" in refused.value.message_dict["amount_amount"][0]
    assert snapshot(Installment) == before


def test_another_department_may_not_edit_the_plan(c):
    contract = signed_contract(c.rep1, c.customer)
    with pytest.raises(PermissionDenied), as_user(c.rep2):
        services.add_installment(contract, actor=c.rep2, due_on=today(), amount="10")
    assert not Installment.objects.exists()


def test_a_receipt_pays_the_oldest_installments_first_and_leaves_the_rest_open(c):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    _first, _second, _third = planned(contract, c.rep1, count=3, first=today() + datetime.timedelta(days=5))
    receipt = record(c.finance, contract, "40000.00")
    assert receipt.owner_id == c.rep1.pk and receipt.customer_id == c.customer.pk
    assert receipt.number.startswith("HK-")
    receipt = confirm(c.finance, receipt)
    assert receipt.status == ReceiptStatus.CONFIRMED
    rows = {r.sequence: r for r in Installment.objects.filter(contract=contract)}
    assert (rows[1].status, rows[1].paid_amount) == (InstallmentStatus.PAID, Decimal("30000.00"))
    assert (rows[2].status, rows[2].paid_amount) == (InstallmentStatus.PARTIAL, Decimal("10000.00"))
    assert rows[2].remaining == Decimal("20000.00")
    assert rows[3].status == InstallmentStatus.PENDING
    assert [
        (a.installment.sequence, a.amount)
        for a in ReceiptAllocation.objects.order_by("installment__sequence")
    ] == [
        (1, Decimal("30000.00")),
        (2, Decimal("10000.00")),
    ]


def test_an_explicit_allocation_pays_the_installments_chosen(c):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    _first, _second, third = planned(contract, c.rep1, count=3, first=today() + datetime.timedelta(days=5))
    receipt = record(c.finance, contract, "30000.00")
    with as_user(c.finance):
        services.allocate_receipt(receipt, [services.AllocationInput(third, "30000.00")], actor=c.finance)
    confirm(c.finance, receipt)
    statuses = dict(Installment.objects.values_list("sequence", "status"))
    assert statuses == {1: "pending", 2: "pending", 3: "paid"}


def test_an_allocation_over_an_installment_is_refused(c):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    first, *_rest = planned(contract, c.rep1, count=3)
    receipt = record(c.finance, contract, "40000.00")
    with pytest.raises(ValidationError) as refused, as_user(c.finance):
        services.allocate_receipt(receipt, [services.AllocationInput(first, "40000.00")], actor=c.finance)
    assert "1.amount" in refused.value.message_dict
    assert not ReceiptAllocation.objects.exists()


def test_a_receipt_over_the_contract_amount_is_refused_without_the_override(c):
    contract = signed_contract(c.rep1, c.customer, "50000.00")
    record(c.finance, contract, "30000.00")
    before = snapshot(Receipt)
    with pytest.raises(ValidationError) as refused:
        record(c.finance, contract, "20000.01")
    message = refused.value.message_dict["amount_amount"][0]
    assert "more than its amount" in message and "20,000.00" in message
    assert snapshot(Receipt) == before
    record(c.finance, contract, "20000.00")  # exactly the amount is fine


def test_the_override_permission_allows_more_than_the_contract(c):
    from guanxi.framework.testing.scopes import give_role

    contract = signed_contract(c.rep1, c.customer, "50000.00")
    give_role(c.finance, Receipt, "all", ["overpay"], name="finance-overpay")
    from guanxi.users.models import User

    finance = User.objects.get(pk=c.finance.pk)
    receipt = record(finance, contract, "60000.00")
    assert receipt.pk


def test_a_bulk_write_counts_its_own_earlier_receipts_against_the_cap(c):
    """Rows of one bulk write are not in the database while the guard runs: the cap adds them up
    itself, in order, so four receipts that each fit cannot together pass the contract amount."""
    from guanxi.framework.write import bulk_create_objects

    contract = signed_contract(c.rep1, c.customer, "50000.00")
    other = signed_contract(c.rep1, c.customer, "50000.00")

    def rows(last: str) -> list[Receipt]:
        amounts = [(contract, "20000.00"), (other, "20000.00"), (contract, "20000.00"), (contract, last)]
        return [Receipt(contract=k, amount_amount=Decimal(a), amount_currency="CNY") for k, a in amounts]

    before = snapshot(Receipt)
    with pytest.raises(ValidationError) as refused, as_user(c.finance):
        bulk_create_objects(Receipt, rows("10000.01"), actor=c.finance)
    assert set(refused.value.message_dict) == {"3.amount_amount"}
    assert "at most" in refused.value.message_dict["3.amount_amount"][0]
    assert snapshot(Receipt) == before  # all or nothing
    with as_user(c.finance):
        bulk_create_objects(Receipt, rows("10000.00"), actor=c.finance)
    assert Receipt.objects.filter(contract=contract).count() == 3


def test_the_bulk_cap_reads_the_same_queries_for_three_receipts_or_thirty(c):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from guanxi.receivables.guards import guard_receipts

    contracts = [signed_contract(c.rep1, c.customer, "50000.00") for _ in range(30)]
    record(c.finance, contracts[0], "1000.00")
    counts = []
    for n in (3, 30):
        receipts = [
            Receipt(contract=k, amount_amount=Decimal("100.00"), amount_currency="CNY") for k in contracts[:n]
        ]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            assert guard_receipts(receipts, c.finance, "create") == {}
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2  # lock the contracts; sum their live receipts


def test_a_receipt_in_another_currency_is_refused(c):
    contract = signed_contract(c.rep1, c.customer, "50000.00")
    with pytest.raises(ValidationError) as refused:
        _usd(c, contract)
    assert "amount_currency" in refused.value.message_dict


def _usd(c, contract):
    from guanxi.framework.write import save_object

    receipt = Receipt(contract=contract, amount_amount=Decimal("100"), amount_currency="USD")
    with as_user(c.finance):
        receipt.clean()
        save_object(receipt, actor=c.finance)


def test_overdue_installments_are_marked_by_the_nightly_job_and_reminded_once(
    c, django_capture_on_commit_callbacks
):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    planned(contract, c.rep1, count=3, first=today() + datetime.timedelta(days=2))
    from guanxi.core.models import Notification

    with as_system(), django_capture_on_commit_callbacks(execute=True):
        sent = services.remind_installments(today=today())
    assert sent == {"due": 1, "overdue": 0}
    assert services.remind_installments(today=today()) == {"due": 0, "overdue": 0}
    later = today() + datetime.timedelta(days=3)
    with as_system():
        assert services.mark_overdue(today=later) == 1
    first = Installment.objects.get(contract=contract, sequence=1)
    assert first.status == InstallmentStatus.OVERDUE
    with as_system(), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_installments(today=later) == {"due": 0, "overdue": 1}
        assert services.remind_installments(today=later) == {"due": 0, "overdue": 0}
    assert Notification.objects.filter(recipient=c.rep1).count() == 2


def test_a_void_installment_leaves_the_plan_and_frees_its_amount(c):
    contract = signed_contract(c.rep1, c.customer, "90000.00")
    first, *_rest = planned(contract, c.rep1, count=3)
    with as_user(c.rep1):
        services.void_installment(first, actor=c.rep1)
        services.add_installment(contract, actor=c.rep1, due_on=today(), amount="30000.00")
    first.refresh_from_db()
    assert first.status == InstallmentStatus.VOID and first.outstanding_base == 0


def test_a_receipt_on_a_draft_contract_is_refused(c):
    from guanxi.contracts.tests.conftest import new_contract

    draft = new_contract(c.rep1, c.customer)
    with pytest.raises(ValidationError) as refused:
        record(c.finance, draft, "100.00")
    assert "signed contract" in refused.value.message_dict["contract"][0]
    assert not Receipt.objects.exists()
