"""The contract and order status machines with the approval engine: draft → pending approval →
active → completed / terminated; above ¥100,000 or after a quote discounted by more than 15 % the
submitter's manager approves. Refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.approvals import services as approvals
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.contracts.models import Contract, ContractStatus, Order, OrderStatus
from guanxi.contracts.services import OrderLineInput, create_contract_from_quote
from guanxi.contracts.tests.conftest import accepted_quote, new_contract, new_order
from guanxi.framework.statemachine import allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.framework.write import save_object


@pytest.fixture(autouse=True)
def _flow(db):
    assert ApprovalFlow.objects.filter(key="contracts.contract.activate").exists()


def move(obj, name, user, **inputs):
    with as_user(user):
        return transition(obj, name, actor=user, **inputs)


def _request(contract) -> ApprovalRequest:
    return ApprovalRequest.objects.filter(object_id=contract.pk, content_type__model="contract").latest("pk")


def test_a_small_contract_is_active_at_once_then_completed(c):
    contract = new_contract(c.rep1, c.customer)
    assert [t.name for t in allowed_transitions(contract, c.rep1)] == ["submit"]
    move(contract, "submit", c.rep1)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert not ApprovalRequest.objects.exists()
    move(contract, "complete", c.rep1)
    assert contract.status == ContractStatus.COMPLETED


def test_a_large_contract_waits_for_the_managers_approval_and_is_locked(c):
    contract = new_contract(c.rep1, c.customer, amount_amount=Decimal("280000.00"))
    move(contract, "submit", c.rep1)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING_APPROVAL
    request = _request(contract)
    assert request.status == "pending" and list(request.steps.get().approvers.all()) == [c.manager1]
    before = snapshot(Contract)
    contract.title = "改过的标题"
    with pytest.raises(ValidationError), as_user(c.rep1):
        save_object(contract, actor=c.rep1)
    with pytest.raises(ValidationError):
        move(Contract.objects.get(pk=contract.pk), "withdraw", c.rep1)
    with pytest.raises((PermissionDenied, ValidationError)), as_user(c.rep1):
        approvals.approve_request(request, actor=c.rep1)
    assert snapshot(Contract) == before
    with as_user(c.manager1):
        approvals.approve_request(request, actor=c.manager1, comment="同意")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_a_rejected_contract_stays_pending_unlocked_and_can_be_withdrawn(c):
    contract = new_contract(c.rep1, c.customer, amount_amount=Decimal("150000.00"))
    move(contract, "submit", c.rep1)
    with as_user(c.manager1):
        approvals.reject_request(_request(contract), actor=c.manager1, comment="金额太大")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING_APPROVAL
    move(contract, "withdraw", c.rep1)
    assert contract.status == ContractStatus.DRAFT


def test_the_quotes_discount_sends_a_small_contract_to_approval(c):
    quote = accepted_quote(c, discount="20")  # ¥15,840 + tax, 20 % off
    with as_user(c.rep1):
        contract, _order = create_contract_from_quote(quote, actor=c.rep1)
    assert contract.discount_percent == Decimal("20.00") and contract.amount_base < 100000
    move(contract, "submit", c.rep1)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING_APPROVAL


def test_terminate_needs_a_reason_and_keeps_it(c):
    contract = new_contract(c.rep1, c.customer)
    move(contract, "submit", c.rep1)
    contract.refresh_from_db()
    before = snapshot(Contract)
    with pytest.raises(ValidationError) as refused:
        move(contract, "terminate", c.rep1)
    assert refused.value.message_dict == {"reason": ["Say why the contract is terminated."]}
    assert snapshot(Contract) == before
    move(Contract.objects.get(pk=contract.pk), "terminate", c.rep1, reason="客户公司注销")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract.termination_reason == "客户公司注销" and contract.terminated_at is not None


def test_an_active_contract_cannot_be_edited_or_completed_twice(c):
    contract = new_contract(c.rep1, c.customer)
    move(contract, "submit", c.rep1)
    contract = Contract.objects.get(pk=contract.pk)
    before = snapshot(Contract)
    contract.amount_amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="Only a draft contract can be edited"), as_user(c.rep1):
        save_object(contract, actor=c.rep1)
    contract = Contract.objects.get(pk=contract.pk)
    move(contract, "complete", c.rep1)
    with pytest.raises(ValidationError):
        move(contract, "complete", c.rep1)
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.COMPLETED
    assert snapshot(Contract) != before  # only the status moved
    assert Contract.objects.get(pk=contract.pk).amount_amount == Decimal("50000.00")


def test_another_rep_cannot_move_the_contract(c):
    contract = new_contract(c.rep1, c.customer)
    before = snapshot(Contract)
    with pytest.raises((PermissionDenied, ValidationError)):
        move(contract, "submit", c.rep2)
    assert snapshot(Contract) == before


def test_order_status_machine(c):
    empty = new_order(c.rep1, c.customer)
    before = snapshot(Order)
    with pytest.raises(ValidationError, match="at least one line"):
        move(empty, "confirm", c.rep1)
    assert snapshot(Order) == before
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    move(order, "confirm", c.rep1)
    assert order.status == OrderStatus.CONFIRMED
    with pytest.raises(ValidationError), as_user(c.rep1):
        from guanxi.contracts.services import save_order_lines

        save_order_lines(order, [OrderLineInput(product=c.crm, quantity="5")], actor=c.rep1)
    move(order, "fulfil", c.rep1)
    assert order.status == OrderStatus.FULFILLED and order.fulfilled_at is not None
    with pytest.raises(ValidationError):
        move(order, "cancel", c.rep1)
    move(empty, "cancel", c.rep1, reason="客户撤单")
    assert (empty.status, empty.cancellation_reason) == (OrderStatus.CANCELLED, "客户撤单")
    assert Order.objects.get(pk=order.pk).total_amount == Decimal("19800.00")
