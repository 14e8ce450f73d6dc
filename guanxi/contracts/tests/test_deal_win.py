"""A won deal whose contract is submitted or in force stays won: the board, the record page and
the API refuse to move it to an open or a lost stage, saying which contract holds it; a draft or
terminated contract does not hold it. Refusals change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.contracts.models import ContractStatus
from guanxi.contracts.tests.conftest import new_contract
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.testing.suites import snapshot
from guanxi.sales.models import Deal
from guanxi.sales.models.deal import stage_transition_name
from guanxi.sales.tests.conftest import stage


def move(deal, name_en, user, **inputs):
    target = stage(deal.pipeline, name_en)
    with as_user(user):
        return transition(Deal.objects.get(pk=deal.pk), stage_transition_name(target), actor=user, **inputs)


def won_deal_with_contract(c, *, submit=True):
    move(c.deal, "Won", c.rep1, reason="price")
    contract = new_contract(c.rep1, c.customer, deal=c.deal)
    if submit:
        with as_user(c.rep1):
            transition(contract, "submit", actor=c.rep1)
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ACTIVE
    return contract


@pytest.mark.parametrize("target", ["Negotiation", "Lost"])
def test_a_won_deal_with_an_active_contract_stays_won(c, target):
    contract = won_deal_with_contract(c)
    before = snapshot(Deal)
    inputs = {"reason": "no_budget"} if target == "Lost" else {}
    with pytest.raises(ValidationError) as refused:
        move(c.deal, target, c.rep1, **inputs)
    assert refused.value.message_dict == {
        "transition": [
            f"The deal's contract {contract.number} is Active: it stays won. Terminate the contract "
            "first if the sale fell through."
        ]
    }
    assert snapshot(Deal) == before


def test_the_refusal_speaks_chinese(c):
    contract = won_deal_with_contract(c)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        move(c.deal, "Lost", c.rep1, reason="no_budget")
    (message,) = refused.value.message_dict["transition"]
    assert contract.number in message and "执行中" in message and "终止" in message


def test_a_terminated_or_draft_contract_does_not_hold_the_win(c):
    contract = won_deal_with_contract(c)
    with as_user(c.rep1):
        transition(contract, "terminate", actor=c.rep1, reason="客户撤单")
    move(c.deal, "Lost", c.rep1, reason="no_budget")
    assert Deal.objects.get(pk=c.deal.pk).stage.kind == "lost"
    move(c.deal, "Won", c.rep1, reason="price")
    new_contract(c.rep1, c.customer, deal=c.deal)  # a draft
    move(c.deal, "Negotiation", c.rep1)
    assert Deal.objects.get(pk=c.deal.pk).stage.kind == "open"


def test_the_board_answers_with_the_message(c, client):
    won_deal_with_contract(c)
    target = stage(c.deal.pipeline, "Negotiation")
    client.force_login(c.rep1)
    before = snapshot(Deal)
    response = client.post(f"/sales/deals/{c.deal.pk}/move/", {"stage": target.pk})
    assert response.status_code == 400, response.content
    assert "Terminate the contract first" in response.json()["message"]
    assert snapshot(Deal) == before


def test_the_api_answers_400_on_the_stage(c):
    from guanxi.framework.api.testing import token_client

    won_deal_with_contract(c)
    target = stage(c.deal.pipeline, "Lost")
    api = token_client(c.rep1)
    before = snapshot(Deal)
    response = api.post(
        f"/api/v1/sales/deals/{c.deal.pk}/transition/",
        {"transition": stage_transition_name(target), "reason": "no_budget"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "Terminate the contract first" in str(response.json()["errors"]["transition"])
    assert snapshot(Deal) == before


def test_the_record_page_offers_no_way_out_of_won(c):
    from guanxi.framework.statemachine import allowed_transitions

    won_deal_with_contract(c)
    deal = Deal.objects.get(pk=c.deal.pk)
    assert allowed_transitions(deal, c.rep1) == []
    # without the contract, every other stage is offered again
    deal.contracts.update(status="terminated")
    offered = {t.label for t in allowed_transitions(Deal.objects.get(pk=c.deal.pk), c.rep1)}
    assert {"Negotiation", "Lost"} <= offered
