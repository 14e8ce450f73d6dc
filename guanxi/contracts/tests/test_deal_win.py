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
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.testing.suites import snapshot
from guanxi.sales.models import Deal
from guanxi.sales.models.deal import stage_transition_name
from guanxi.sales.tests.conftest import stage
from guanxi.users.models import User


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


def test_the_record_page_says_why_the_deal_stays_won(c, client):
    contract = won_deal_with_contract(c)
    client.force_login(c.rep1)
    page = client.get(c.deal.get_absolute_url()).content.decode()
    note = page[page.index('id="transition-holds"') :]
    note = note[: note.index("</div></div>")]
    assert contract.number in note and "Terminate the contract first" in note
    # one note, not one per stage the contract holds back
    assert note.count("Terminate the contract first") == 1
    # and nothing else: what an open stage would ask for is beside the point while the deal is held
    assert "Fill in" not in note and "<ul" not in note
    assert 'id="transition-' + stage_transition_name(stage(c.deal.pipeline, "Lost")) not in page


def test_the_note_speaks_chinese_and_goes_with_the_hold(c, client):
    contract = won_deal_with_contract(c)
    User.objects.filter(pk=c.rep1.pk).update(language="zh-hans")
    client.force_login(User.objects.get(pk=c.rep1.pk))
    page = client.get(c.deal.get_absolute_url()).content.decode()
    assert f"该商机的合同 {contract.number} 处于“执行中”状态，商机保持赢单" in page
    Deal.objects.get(pk=c.deal.pk).contracts.update(status=ContractStatus.TERMINATED)
    page = client.get(c.deal.get_absolute_url()).content.decode()
    # the contract no longer holds the deal: the note is down to what the stages themselves ask
    note = page[page.index('id="transition-holds"') :]
    note = note[: note.index("</div></div>")]
    assert "合同" not in note and "请先填写金额、预计成交日期，再将商机移到“方案报价”" in note


def test_a_reader_who_may_not_move_the_deal_is_told_nothing(c, client):
    """The note explains the reader's own missing buttons: a reader without ``change`` on the deal
    was never going to get them."""
    won_deal_with_contract(c)
    with as_system():
        viewer = User.objects.create_user(username="viewer1", name="赵敏", language="en")
    give_role(viewer, Deal, "all", ["view"], name="deal-viewer")
    client.force_login(viewer)
    response = client.get(c.deal.get_absolute_url())
    assert response.status_code == 200
    assert 'id="transition-holds"' not in response.content.decode()
