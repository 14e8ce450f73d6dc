"""The receipt and invoice request machines with the approval engine, and the invoice rules:
税号 checks, 专用发票 details, the amount against what was received. Refusals change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.approvals import services as approvals
from guanxi.approvals.models import ApprovalRequest
from guanxi.framework.statemachine import allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.framework.write import save_object
from guanxi.receivables.models import (
    Installment,
    InvoiceRequest,
    InvoiceStatus,
    Receipt,
    ReceiptStatus,
    ReceivableSettings,
)
from guanxi.receivables.tests.conftest import confirm, planned, record, signed_contract
from guanxi.receivables.validators import validate_tax_id

GOOD_CODE = "91310000MA1FL4KX3N"


def move(obj, name, user, **inputs):
    with as_user(user):
        return transition(obj, name, actor=user, **inputs)


def _request(obj) -> ApprovalRequest:
    return ApprovalRequest.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name).latest(
        "pk"
    )


def test_a_large_receipt_waits_for_the_manager_then_pays_the_plan(c):
    contract = signed_contract(c.rep1, c.customer, "800000.00")
    planned(contract, c.rep1, count=2, first=timezone.localdate() + datetime.timedelta(days=10))
    receipt = record(c.rep1, contract, "600000.00")
    receipt = confirm(c.rep1, receipt)
    assert receipt.status == ReceiptStatus.PENDING_APPROVAL
    assert set(Installment.objects.values_list("status", flat=True)) == {"pending"}
    request = _request(receipt)
    assert list(request.steps.get().approvers.all()) == [c.manager1]
    with as_user(c.manager1):
        approvals.approve_request(request, actor=c.manager1, comment="")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.CONFIRMED and receipt.confirmed_at is not None
    assert dict(Installment.objects.values_list("sequence", "status")) == {1: "paid", 2: "partial"}


def test_a_rejected_receipt_frees_the_contract_amount(c):
    contract = signed_contract(c.rep1, c.customer, "800000.00")
    receipt = confirm(c.rep1, record(c.rep1, contract, "600000.00"))
    with as_user(c.manager1):
        approvals.reject_request(_request(receipt), actor=c.manager1, comment="金额与银行流水不符")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.PENDING_APPROVAL  # back with its submitter, unlocked
    with pytest.raises(PermissionDenied):
        move(receipt, "reject", c.rep1, reason="金额不符")  # rejecting needs the approve verb
    move(receipt, "reject", c.finance, reason="金额与银行流水不符")
    assert receipt.status == ReceiptStatus.REJECTED
    record(c.finance, contract, "800000.00")  # the rejected one holds nothing


def test_a_confirmed_receipt_cannot_be_edited_or_deleted(c):
    from guanxi.framework.write import delete_object

    contract = signed_contract(c.rep1, c.customer)
    receipt = confirm(c.finance, record(c.finance, contract, "1000.00"))
    before = snapshot(Receipt)
    receipt.payer = "改过"
    with pytest.raises(ValidationError), as_user(c.finance):
        save_object(receipt, actor=c.finance)
    with pytest.raises(ValidationError), as_user(c.finance):
        delete_object(Receipt.objects.get(pk=receipt.pk), actor=c.finance)
    assert snapshot(Receipt) == before


def _invoice(user, contract, amount: str, **fields) -> InvoiceRequest:
    invoice = InvoiceRequest(
        contract=contract, amount_amount=Decimal(amount), amount_currency="CNY", **fields
    )
    with as_user(user):
        invoice.full_clean()
        save_object(invoice, actor=user)
    return invoice


def test_an_invoice_takes_the_customers_details_and_follows_the_received_amount(c):
    with as_system():
        c.customer.credit_code = GOOD_CODE
        c.customer.save()
    contract = signed_contract(c.rep1, c.customer, "100000.00")
    with pytest.raises(ValidationError) as refused:
        _invoice(c.rep1, contract, "1.00")
    assert "At most" in refused.value.message_dict["amount_amount"][0]
    confirm(c.finance, record(c.finance, contract, "30000.00"))
    invoice = _invoice(c.rep1, contract, "30000.00")
    assert (invoice.title, invoice.tax_id, invoice.owner_id) == (c.customer.name, GOOD_CODE, c.rep1.pk)
    assert invoice.number.startswith("KP-")
    before = snapshot(InvoiceRequest)
    with pytest.raises(ValidationError):
        _invoice(c.rep1, contract, "0.01")  # the received ¥30,000 are all claimed
    assert snapshot(InvoiceRequest) == before
    with as_system():
        ReceivableSettings.objects.create(pk=1, allow_invoice_before_payment=True)
    _invoice(c.rep1, contract, "70000.00")


def test_the_invoice_machine_normal_invoice_approved_at_once_and_issued_by_finance(c):
    with as_system():
        ReceivableSettings.objects.create(pk=1, allow_invoice_before_payment=True)
    contract = signed_contract(c.rep1, c.customer)
    invoice = _invoice(c.rep1, contract, "5000.00", title="上海华康", tax_id=GOOD_CODE)
    move(invoice, "submit", c.rep1)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    assert "issue" not in [t.name for t in allowed_transitions(invoice, c.rep1)]
    with pytest.raises(ValidationError) as refused:
        move(invoice, "issue", c.finance)
    assert "invoice_number" in refused.value.message_dict
    move(invoice, "issue", c.finance, invoice_number="04412345")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.invoice_date == timezone.localdate()


def test_a_special_invoice_needs_bank_address_phone_and_the_managers_approval(c):
    with as_system():
        ReceivableSettings.objects.create(pk=1, allow_invoice_before_payment=True)
    contract = signed_contract(c.rep1, c.customer)
    with pytest.raises(ValidationError) as refused:
        _invoice(
            c.rep1,
            contract,
            "5000.00",
            kind="special",
            title="上海华康",
            tax_id=GOOD_CODE,
            address="",
            phone="",
        )
    assert {"bank_name", "bank_account", "address", "phone"} <= set(refused.value.message_dict)
    invoice = _invoice(
        c.rep1, contract, "5000.00", kind="special", title="上海华康", tax_id=GOOD_CODE,
        bank_name="招商银行上海分行", bank_account="121909876510001", address="上海市浦东新区张江路 88 号",
        phone="021-58880000",
    )  # fmt: skip
    move(invoice, "submit", c.rep1)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PENDING_APPROVAL
    with as_user(c.manager1):
        approvals.approve_request(_request(invoice), actor=c.manager1, comment="")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91310000MA1FL4KX3B", "check character"),
        ("91310000MA1FL4KX", "18-character"),
        ("1234567890ABCDEF", "18-character"),
        ("31011500000000-", "digits and capital letters"),
    ],
)
def test_bad_tax_ids_are_refused_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as refused:
        validate_tax_id(value)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    "value", [GOOD_CODE, "310115000000000", "31011500000000000000", "9131 0000 MA1F L4KX 3N"]
)
def test_good_tax_ids_pass(value):
    validate_tax_id(value)
