"""Reversing a confirmed receipt (冲销): finance only (verb ``reverse``), with a reason; the receipt
stays, read-only, with who, when and why; its installments, the aging report, the ``received``
measure and the contract's free amount follow. Refusals (no reason, twice, a draft, no verb,
invoices that would lose their cover) change nothing. Through an approval flow when one is set
up, and over the REST API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.approvals import services as approvals
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.core.models import Event, ObjectChange
from guanxi.framework.measures import totals
from guanxi.framework.statemachine import allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.testing.suites import snapshot
from guanxi.framework.write import delete_object, save_object
from guanxi.receivables import aging
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt, ReceiptStatus
from guanxi.receivables.tests.conftest import FINANCE, confirm, planned, record, signed_contract


@pytest.fixture
def f(c):
    """The receivables fixture, finance holding ``reverse`` too (the shipped 财务 role does)."""
    give_role(c.finance, Receipt, "all", [*FINANCE, "reverse"], name="finance-reverse")
    return c


def reverse(receipt, user, **inputs):
    with as_user(user):
        return transition(receipt, "reverse", actor=user, **inputs)


def _statuses() -> dict[int, str]:
    return dict(Installment.objects.values_list("sequence", "status"))


def _paid_plan(f, amount="90000.00", receipt_amount="30000.00"):
    contract = signed_contract(f.rep1, f.customer, amount)
    planned(contract, f.rep1, count=3, first=timezone.localdate() - datetime.timedelta(days=10))
    receipt = confirm(f.finance, record(f.finance, contract, receipt_amount))
    assert receipt.status == ReceiptStatus.CONFIRMED
    return contract, receipt


def test_finance_reverses_a_receipt_and_everything_that_counted_it_follows(f):
    contract, receipt = _paid_plan(f)
    today = timezone.localdate()
    month = today.replace(day=1)
    assert _statuses() == {1: "paid", 2: "pending", 3: "pending"}
    assert aging.report(f.finance).totals.total.amount == Decimal("60000.00")
    assert totals("received", f.finance, month, today, by=()) == {(): Decimal("30000.00")}

    reverse(receipt, f.finance, reason="银行退票：转账被退回")

    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.REVERSED
    assert receipt.reversal_reason == "银行退票：转账被退回"
    assert receipt.reversed_by == f.finance and receipt.reversed_at is not None
    assert Receipt.objects.filter(pk=receipt.pk).exists()  # kept, never deleted
    # 第1期 fell due ten days ago: unpaid again it is overdue, as refresh_installments computes
    assert _statuses() == {1: "overdue", 2: "pending", 3: "pending"}
    assert Installment.objects.get(sequence=1).paid_amount == Decimal(0)
    assert aging.report(f.finance).totals.total.amount == Decimal("90000.00")
    assert totals("received", f.finance, month, today, by=()).get((), Decimal(0)) == Decimal(0)
    # the history: the change-log entry names the transition and the reason; the typed event
    change = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(Receipt), changed_object_id=receipt.pk
    ).latest("pk")
    assert "银行退票" in change.message and change.user == f.finance
    assert Event.objects.filter(kind="receipt.reverse", object_id=receipt.pk, actor=f.finance).exists()
    # the whole contract amount is free again
    record(f.finance, contract, "90000.00")


def test_a_reversed_receipt_is_read_only_and_kept(f):
    _contract, receipt = _paid_plan(f)
    reverse(receipt, f.finance, reason="金额录错")
    receipt.refresh_from_db()
    before = snapshot(Receipt)
    receipt.payer = "改过"
    with as_user(f.finance), pytest.raises(ValidationError):
        save_object(receipt, actor=f.finance)
    with as_user(f.finance), pytest.raises(ValidationError):
        delete_object(Receipt.objects.get(pk=receipt.pk), actor=f.finance)
    assert snapshot(Receipt) == before
    assert allowed_transitions(receipt, f.finance) == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_no_reason_is_refused_and_changes_nothing(f, reason):
    _contract, receipt = _paid_plan(f)
    before = (snapshot(Receipt), snapshot(Installment))
    inputs = {} if reason is None else {"reason": reason}
    with pytest.raises(ValidationError) as refused:
        reverse(receipt, f.finance, **inputs)
    assert refused.value.message_dict == {"reason": ["Say why the receipt is reversed."]}
    assert (snapshot(Receipt), snapshot(Installment)) == before


def test_reversing_twice_or_a_draft_is_refused_in_the_users_language(f):
    contract, receipt = _paid_plan(f)
    reverse(receipt, f.finance, reason="金额录错")
    receipt.refresh_from_db()
    with pytest.raises(ValidationError) as twice:
        reverse(receipt, f.finance, reason="再冲一次")
    assert twice.value.message_dict == {"transition": ["This receipt is already reversed."]}
    draft = record(f.finance, contract, "100.00")
    before = snapshot(Receipt)
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        reverse(draft, f.finance, reason="录错")
    assert refused.value.message_dict == {"transition": ["只有已确认的回款可以冲销。"]}
    assert snapshot(Receipt) == before


def test_reversing_needs_the_reverse_verb(f):
    _contract, receipt = _paid_plan(f)
    before = snapshot(Receipt)
    for user in (f.rep1, f.manager1):
        assert "reverse" not in [t.name for t in allowed_transitions(receipt, user)]
        with pytest.raises(PermissionDenied):
            reverse(receipt, user, reason="不该我冲")
    assert snapshot(Receipt) == before
    assert "reverse" in [t.name for t in allowed_transitions(receipt, f.finance)]


def test_a_receipt_whose_money_was_invoiced_is_not_reversed(f):
    contract, receipt = _paid_plan(f)
    with as_user(f.finance):
        request = InvoiceRequest(
            contract=contract,
            amount_amount=Decimal("20000.00"),
            amount_currency="CNY",
            title="上海华康医疗器械有限公司",
            tax_id="91310000MA1FL4KX3N",
        )
        request.full_clean()
        save_object(request, actor=f.finance)
    before = snapshot(Receipt)
    with pytest.raises(ValidationError) as refused:
        reverse(receipt, f.finance, reason="退票")
    assert "cancel or reject them first" in refused.value.messages[0]
    assert snapshot(Receipt) == before


def test_a_reversal_flow_sends_it_to_the_manager_first(f):
    _contract, receipt = _paid_plan(f)
    with as_system():
        ApprovalFlow.objects.create(
            key="test.receipt.reverse",
            name="冲销审批",
            content_type=ContentType.objects.get_for_model(Receipt),
            transition="reverse",
            condition={"version": 1, "all": []},
            steps=[{"name": "经理审批", "approvers": "users", "users": [f.manager1.pk], "mode": "any"}],
        )
    reverse(receipt, f.finance, reason="合同选错")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.CONFIRMED  # waits for the decision
    assert Installment.objects.get(sequence=1).status == "paid"
    request = ApprovalRequest.objects.get(object_id=receipt.pk, transition="reverse")
    assert request.inputs == {"reason": "合同选错"}
    with as_user(f.manager1):
        approvals.approve_request(request, actor=f.manager1, comment="")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.REVERSED and receipt.reversal_reason == "合同选错"
    assert receipt.reversed_by == f.finance  # who asked for it; the request says who approved
    assert Installment.objects.get(sequence=1).status == "overdue"


def test_the_reversal_over_the_api(f):
    _contract, receipt = _paid_plan(f)
    api = APIClient()
    api.force_authenticate(f.finance)
    url = f"/api/v1/receivables/receipts/{receipt.pk}/transition/"
    listed = api.get(f"/api/v1/receivables/receipts/{receipt.pk}/transitions/").json()
    assert [(t["name"], t["needs_approval"], t["inputs"][0]["name"]) for t in listed] == [
        ("reverse", True, "reason")
    ]
    missing = api.post(url, {"transition": "reverse"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"], missing.json()
    done = api.post(url, {"transition": "reverse", "reason": "重复录入"}, format="json")
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "reversed" and body["reversal_reason"] == "重复录入"
    assert body["reversed_by"]["id"] == f.finance.pk and body["reversed_at"]
    again = api.post(
        url, {"transition": "reverse", "reason": "再来"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert again.status_code == 400
    assert again.json()["errors"]["transition"] == ["这笔回款已冲销。"]
    rep = APIClient()
    rep.force_authenticate(f.rep1)
    assert rep.post(url, {"transition": "reverse", "reason": "x"}, format="json").status_code == 403
    reversed_only = api.get("/api/v1/receivables/receipts/?status=reversed")
    assert [r["id"] for r in reversed_only.json()["results"]] == [receipt.pk]


def test_the_receipts_list_filters_reversed_ones_and_the_page_says_who_when_why(f, client):
    contract, receipt = _paid_plan(f)
    other = confirm(f.finance, record(f.finance, contract, "100.00"))
    reverse(receipt, f.finance, reason="银行退票")
    client.force_login(f.finance)
    listed = client.get("/receipts/?status=reversed")
    assert listed.status_code == 200
    assert [r.pk for r in listed.context["table"].data] == [receipt.pk]
    assert other.pk not in [r.pk for r in listed.context["table"].data]
    page = client.get(f"/receipts/{receipt.pk}/")
    text = page.content.decode()
    assert "银行退票" in text and "刘洋" in text
    assert 'id="transition-reverse"' not in text
    fresh = client.get(f"/receipts/{other.pk}/").content.decode()
    assert 'id="transition-reverse"' in fresh and 'id="transition-reverse-dialog"' in fresh


def test_the_migration_gives_the_shipped_roles_of_an_existing_install_the_verb(db):
    """An install whose 财务 / administrator roles got the receipts' grant before ``reverse``
    existed gets it from migration 0003 (the registry's defaults are applied once per role)."""
    import importlib

    from django.apps import apps

    from guanxi.users.models import RoleGrant

    migration = importlib.import_module("guanxi.receivables.migrations.0003_receipt_reversal")
    grants = RoleGrant.objects.filter(
        role__code__in=["admin", "finance"], content_type=ContentType.objects.get_for_model(Receipt)
    )
    assert grants.count() == 2
    for grant in grants:
        RoleGrant.objects.filter(pk=grant.pk).update(actions=[a for a in grant.actions if a != "reverse"])
    with as_system():  # the live models (a migration's historical ones keep no change log)
        migration.give_reverse_verb(apps, None)
        migration.give_reverse_verb(apps, None)  # twice: once is enough, the verb is not doubled
    for grant in grants.all():
        assert grant.actions.count("reverse") == 1 and "approve" in grant.actions
