"""The approver reads what they approve on the request page, through their field rules: a
contract's customer, amount, dates and payment plan; a receipt's amount, method, date, contract and
customer; an invoice request's amount, invoice title, type and contract. The lists show the amount."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.approvals.models import ApprovalRequest
from guanxi.contracts.models import Contract
from guanxi.contracts.tests.conftest import new_contract
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.write import save_object
from guanxi.receivables.models import InvoiceRequest, Receipt, ReceivableSettings
from guanxi.receivables.tests.conftest import planned, record, signed_contract
from guanxi.users.models import FieldRule, Role, User


@pytest.fixture(autouse=True)
def _requests(c):
    for user in (c.rep1, c.manager1):
        give_role(user, ApprovalRequest, "own", ["view"], name=f"approvals-{user.username}")


def _submit(obj, user) -> ApprovalRequest:
    with as_user(user):
        transition(obj, "submit", actor=user)
    request = ApprovalRequest.objects.get(object_id=obj.pk, content_type__model=obj._meta.model_name)
    assert request.status == "pending"
    return request


def _mask(role: str, model, field: str) -> None:
    with as_system():
        FieldRule.objects.create(
            role=Role.objects.get(name=role),
            content_type=ContentType.objects.get_for_model(model),
            field_name=field,
            access="masked",
        )


def _card(client, user, request) -> str:
    client.force_login(User.objects.get(pk=user.pk))
    html = client.get(f"/approvals/{request.pk}/").content.decode()
    found = re.search(r'<section class="card" id="approval-summary".*?</section>', html, re.S)
    assert found, "no summary card"
    assert html.index('id="approval-summary"') < html.index('id="decide-title"')
    return found.group(0)


def _inbox_row(client, request) -> str:
    inbox = client.get("/approvals/").content.decode()
    row = re.search(rf'<tr id="approval-{request.pk}">.*?</tr>', inbox, re.S)
    assert row
    return row.group(0)


def test_the_approver_reads_the_contract_and_its_payment_plan(client, c):
    contract = new_contract(
        c.rep1,
        c.customer,
        amount_amount=Decimal("150000.00"),
        signed_on=datetime.date(2026, 12, 1),
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    planned(contract, c.rep1, count=3, first=datetime.date(2027, 1, 15))
    request = _submit(contract, c.rep1)
    card = _card(client, c.manager1, request)
    assert "上海华康医疗器械有限公司" in card and "CNY 150,000.00" in card
    assert "Dec. 1, 2026" in card and "Jan. 1, 2027" in card and "Dec. 31, 2027" in card
    assert "Payment plan" in card and card.count("CNY 50,000.00") == 3 and "Jan. 15, 2027" in card
    assert "Installment 3" in card and "Pending" in card
    assert "CNY 150,000.00" in _inbox_row(client, request)
    _mask("mgr-contract", Contract, "amount_amount")  # the rule as the role editor names it
    card = _card(client, c.manager1, request)
    assert "CNY 150,000.00" not in card and "***" in card
    assert "CNY 150,000.00" not in _inbox_row(client, request)


def test_the_approver_reads_the_receipt(client, c):
    contract = signed_contract(c.rep1, c.customer, "800000.00")
    receipt = record(c.rep1, contract, "600000.00", method="bank_transfer")
    request = _submit(receipt, c.rep1)
    card = _card(client, c.manager1, request)
    assert "CNY 600,000.00" in card and "Bank transfer" in card
    assert contract.number in card and "上海华康医疗器械有限公司" in card
    assert "CNY 600,000.00" in _inbox_row(client, request)
    _mask("mgr-receipt", Receipt, "amount")
    card = _card(client, c.manager1, request)
    assert "600,000" not in card and "***" in card


def test_the_approver_reads_the_invoice_request(client, c):
    with as_system():
        ReceivableSettings.objects.create(pk=1, allow_invoice_before_payment=True)
    contract = signed_contract(c.rep1, c.customer, "300000.00")
    invoice = InvoiceRequest(  # above ¥100,000: the manager approves
        contract=contract,
        amount_amount=Decimal("150000.00"),
        amount_currency="CNY",
        kind="normal",
        title="上海华康医疗器械有限公司（开票）",
        tax_id="91310000MA1FL4KX3N",
    )
    with as_user(c.rep1):
        invoice.full_clean()
        save_object(invoice, actor=c.rep1)
    request = _submit(invoice, c.rep1)
    card = _card(client, c.manager1, request)
    assert "CNY 150,000.00" in card and "上海华康医疗器械有限公司（开票）" in card
    assert invoice.get_kind_display() in card and contract.number in card
    assert "CNY 150,000.00" in _inbox_row(client, request)
    _mask("mgr-invoicerequest", InvoiceRequest, "title")
    card = _card(client, c.manager1, request)
    assert "上海华康医疗器械有限公司（开票）" not in card and "上***）" in card
