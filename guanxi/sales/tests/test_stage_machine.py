"""Scenario tests of the deal stage machine: moves, required fields, won/lost reasons, conflicts,
and the customer's won date (the deal team: test_deal_team.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.framework.statemachine import TransitionConflict, allowed_transitions
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.write import version_of
from guanxi.sales import services
from guanxi.sales.models import Deal, StageChange
from guanxi.sales.services import RequiredFieldsMissing
from guanxi.sales.tests.conftest import make_deal, stage

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (the policy caches access facts on the object)."""
    return type(user).objects.get(pk=user.pk)


def _move(deal, stage_, user, **kwargs):
    with as_user(user):
        return services.move_deal(deal, stage_, actor=user, **kwargs)


def test_a_new_deal_starts_in_the_first_open_stage_of_the_default_pipeline(sales):
    deal = make_deal(sales.rep1, sales.customer, None)
    assert deal.pipeline == sales.pipeline
    assert deal.stage.name_en == "Qualification"
    assert deal.department == sales.east1
    assert deal.stage_entered_at is not None
    assert not StageChange.objects.filter(deal=deal).exists()


def test_moving_records_the_history_with_time_in_stage(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - datetime.timedelta(days=3))
    Deal.objects.filter(pk=deal.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    deal.refresh_from_db()
    _move(deal, stage(sales.pipeline, "Needs analysis"), sales.rep1)
    deal.refresh_from_db()
    assert deal.stage.name_en == "Needs analysis"
    last = StageChange.objects.filter(deal=deal).order_by("-pk").first()
    assert (last.from_stage.name_en, last.to_stage.name_en, last.changed_by) == (
        "Qualification",
        "Needs analysis",
        sales.rep1,
    )
    assert 3 * 86400 <= last.seconds_in_stage < 3 * 86400 + 60
    assert deal.closed_at is None


def test_a_stage_refuses_a_deal_without_its_required_fields_and_nothing_changes(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    proposal = stage(sales.pipeline, "Proposal")
    with pytest.raises(RequiredFieldsMissing) as refused:
        _move(deal, proposal, sales.rep1)
    assert refused.value.fields == ["amount_amount", "expected_close_date"]
    assert refused.value.message_dict["transition"] == [
        "Fill in amount, expected close date before moving the deal to “Proposal”."
    ]
    deal.refresh_from_db()
    assert deal.stage.name_en == "Qualification"
    assert StageChange.objects.filter(deal=deal).count() == 0


def test_the_move_fills_the_required_fields_in_the_same_write(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    proposal = stage(sales.pipeline, "Proposal")
    _move(
        deal,
        proposal,
        sales.rep1,
        fields={"amount_amount": Decimal("120000.00"), "expected_close_date": datetime.date(2027, 3, 31)},
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.amount_amount, deal.amount_base) == (
        proposal,
        Decimal("120000.00"),
        Decimal("120000.00"),
    )
    assert deal.expected_close_date == datetime.date(2027, 3, 31)
    assert deal.weighted_base == Decimal("72000")


def test_the_move_refuses_fields_the_stage_does_not_ask_for(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    with pytest.raises(ValidationError) as refused:
        _move(deal, stage(sales.pipeline, "Proposal"), sales.rep1, fields={"name": "改名"})
    assert refused.value.message_dict == {"name": ["This field cannot be changed here."]}
    deal.refresh_from_db()
    assert (deal.name, deal.stage.name_en) == ("ERP 项目", "Qualification")


def test_winning_needs_a_reason_and_stamps_the_customer(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    won = stage(sales.pipeline, "Won")
    with pytest.raises(ValidationError) as refused:
        _move(deal, won, sales.rep1)
    assert refused.value.message_dict == {"reason": ["Say why the deal was won."]}
    with pytest.raises(ValidationError) as refused:
        _move(deal, won, sales.rep1, reason="no-such-reason")
    assert "reason" in refused.value.message_dict
    deal.refresh_from_db()
    assert (deal.stage.name_en, deal.close_reason, deal.closed_at) == ("Qualification", "", None)
    assert Customer.objects.get(pk=sales.customer.pk).last_won_at is None

    _move(deal, won, sales.rep1, reason="relationship", note="老客户推荐")
    deal.refresh_from_db()
    customer = Customer.objects.get(pk=sales.customer.pk)
    assert (deal.stage, deal.close_reason, deal.close_note) == (won, "relationship", "老客户推荐")
    assert deal.closed_at is not None
    assert customer.last_won_at == deal.closed_at
    assert customer.stage == "won"


def test_a_second_win_makes_a_repeat_customer_and_reopening_the_only_win_undoes_it(sales):
    first = make_deal(sales.rep1, sales.customer, sales.pipeline)
    second = make_deal(sales.rep1, sales.customer, sales.pipeline, name="二期")
    won = stage(sales.pipeline, "Won")
    _move(first, won, sales.rep1, reason="price")
    _move(second, won, sales.rep1, reason="service")
    assert Customer.objects.get(pk=sales.customer.pk).stage == "repeat"
    second.refresh_from_db()
    _move(second, stage(sales.pipeline, "Negotiation"), sales.rep1)
    second.refresh_from_db()
    assert (second.close_reason, second.closed_at) == ("", None)
    first.refresh_from_db()
    assert Customer.objects.get(pk=sales.customer.pk).last_won_at == first.closed_at
    first.refresh_from_db()
    _move(first, stage(sales.pipeline, "Negotiation"), sales.rep1)
    customer = Customer.objects.get(pk=sales.customer.pk)
    assert (customer.last_won_at, customer.stage) == (None, "prospect")


def test_losing_asks_why_it_was_lost(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    with pytest.raises(ValidationError) as refused:
        _move(deal, stage(sales.pipeline, "Lost"), sales.rep1, reason="")
    assert refused.value.message_dict == {"reason": ["Say why the deal was lost."]}
    _move(deal, stage(sales.pipeline, "Lost"), sales.rep1, reason="competitor")
    deal.refresh_from_db()
    assert (deal.stage.name_en, deal.close_reason) == ("Lost", "competitor")
    assert Customer.objects.get(pk=sales.customer.pk).last_won_at is None


def test_two_users_moving_the_same_deal_the_second_gets_a_conflict(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    mine, theirs = Deal.objects.get(pk=deal.pk), Deal.objects.get(pk=deal.pk)
    _move(mine, stage(sales.pipeline, "Needs analysis"), sales.rep1)
    with pytest.raises(TransitionConflict) as conflict:
        _move(theirs, stage(sales.pipeline, "Negotiation"), sales.manager1)
    assert conflict.value.messages == [
        "Someone changed this record meanwhile: it is Needs analysis now. Reload it and try again."
    ]
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "Needs analysis"
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_a_stale_version_is_a_conflict_even_when_the_stage_is_the_same(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    seen = version_of(deal)
    with as_user(sales.manager1):
        fresh = Deal.objects.get(pk=deal.pk)
        fresh.next_step = "约见 CTO"
        from guanxi.framework.write import save_object

        save_object(fresh, actor=sales.manager1)
    with pytest.raises(TransitionConflict) as conflict:
        _move(deal, stage(sales.pipeline, "Needs analysis"), sales.rep1, expected_version=seen)
    assert conflict.value.messages == ["Someone changed this record meanwhile. Reload it and try again."]
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "Qualification"


def test_a_rep_of_another_department_may_not_move_the_deal(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    with pytest.raises(PermissionDenied):
        _move(deal, stage(sales.pipeline, "Needs analysis"), sales.rep2)
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "Qualification"


def test_allowed_transitions_lists_the_other_stages_without_blocked_ones(sales):
    deal = make_deal(sales.rep1, sales.customer, sales.pipeline)
    names = [str(t.label) for t in allowed_transitions(deal, sales.rep1)]
    assert names == ["Needs analysis", "Negotiation", "Won", "Lost"]  # Proposal needs its fields
    assert allowed_transitions(deal, sales.rep2) == []


def test_a_new_deal_cannot_start_won_or_in_another_pipelines_stage(sales):
    from guanxi.sales.tests.conftest import make_pipeline

    other = make_pipeline("项目型销售", is_default=False)
    with pytest.raises(ValidationError) as refused:
        make_deal(sales.rep1, sales.customer, sales.pipeline, stage=stage(sales.pipeline, "Won"))
    assert refused.value.message_dict == {"stage": ["A new deal starts in an open stage."]}
    with pytest.raises(ValidationError) as refused:
        make_deal(sales.rep1, sales.customer, sales.pipeline, stage=stage(other, "Qualification"))
    assert refused.value.message_dict == {"stage": ["Choose a stage of the deal's pipeline."]}
    assert Deal.objects.count() == 0
