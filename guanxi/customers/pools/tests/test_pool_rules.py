"""Scenario tests of the pool rule engine with a fake clock: returns, warnings, exemptions, dry-run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import translation

from guanxi.core.models import Notification, ObjectChange
from guanxi.customers.models import Customer, PoolMove, PoolRule
from guanxi.customers.pools.services.pools import apply_pool_rules
from guanxi.customers.pools.services.rules import (
    plan_returns,
    register_pool_exemption,
    unregister_pool_exemption,
)
from guanxi.customers.pools.tests import pool_fixtures
from guanxi.customers.pools.tests.pool_fixtures import NOW
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
org = pool_fixtures.org  # the fixture
deals_recorded = pool_fixtures.deals_recorded
no_deal_records = pool_fixtures.no_deal_records


def rule(pool, name, **fields):
    with as_system():
        return PoolRule.objects.create(pool=pool, name=name, **fields)


def run(now=NOW, **kwargs):
    with as_system(), translation.override("en"):
        return apply_pool_rules(now, **kwargs)


def test_returned_after_n_days_without_follow_up_not_after_n_minus_one(
    org, django_capture_on_commit_callbacks
):
    rule(org.east, "A级 30 天", levels=["A"], no_follow_up_days=30)
    due = org.customer("到期客户", owner="zhang", owned_days=60, contacted_days=31)
    exact = org.customer("刚好30天", owner="zhang", owned_days=60, contacted_days=30)
    early = org.customer("29天", owner="zhang", owned_days=60, contacted_days=29.9)
    held = org.customer("新认领", owner="zhang", owned_days=10)  # never contacted, owned 10 days

    with django_capture_on_commit_callbacks(execute=True):
        summary = run()

    assert summary["returned"] == 2
    for customer in (due, exact, early, held):
        customer.refresh_from_db()
    assert (due.owner_id, due.pool, due.previous_owner, due.pool_entered_at) == (
        None,
        org.east,
        org.users["zhang"],
        NOW,
    )
    assert exact.pool == org.east and exact.owner_id is None
    assert early.owner == org.users["zhang"] and early.pool is None
    assert held.owner == org.users["zhang"]
    move = PoolMove.objects.get(customer=due)
    assert (move.action, move.rule.name, move.from_user, move.params["days"]) == (
        "returned",
        "A级 30 天",
        org.users["zhang"],
        31,
    )
    with translation.override("en"):
        assert move.reason() == "Returned to 华东公海: no follow-up for 31 days under rule “A级 30 天”"
    with translation.override("zh-hans"):
        assert move.reason() == "已退回华东公海：已 31 天未跟进（规则“A级 30 天”）"
    # change-logged as the system, with the owner's before and after
    change = ObjectChange.objects.get(
        changed_object_type__model="customer", changed_object_id=due.pk, action="update"
    )
    assert change.prechange_data["owner"] == org.users["zhang"].pk and change.postchange_data["owner"] is None
    # the owner hears about both in one notification
    note = Notification.objects.get(recipient=org.users["zhang"])
    assert note.title == "2 customers returned to the pool"
    assert "到期客户: Returned to 华东公海: no follow-up for 31 days" in note.body


def test_level_specific_rules(org):
    rule(org.east, "A级 30 天", levels=["A"], no_follow_up_days=30)
    rule(org.east, "C/D级 15 天", levels=["C", "D"], no_follow_up_days=15)
    a = org.customer("A客户", owner="zhang", level="A", owned_days=90, contacted_days=20)
    c = org.customer("C客户", owner="zhang", level="C", owned_days=90, contacted_days=20)
    b = org.customer("B客户", owner="zhang", level="B", owned_days=90, contacted_days=200)

    plan = plan_returns(NOW)

    assert [(p.customer.name, p.rule.name, p.kind) for p in plan] == [("C客户", "C/D级 15 天", "return")]
    run()
    assert Customer.objects.get(pk=a.pk).owner_id is not None
    assert Customer.objects.get(pk=b.pk).owner_id is not None
    assert Customer.objects.get(pk=c.pk).pool == org.east


@pytest.mark.usefixtures("deals_recorded")
def test_won_deal_rule_counts_from_the_last_win_or_ownership(org):
    rule(org.national, "180 天未成交", no_won_deal_days=180)
    stale = org.customer("久未成交", owner="li", owned_days=400, won_days=181, contacted_days=1)
    recent = org.customer("近期成交", owner="li", owned_days=400, won_days=100)
    new_owner = org.customer("新负责人", owner="li", owned_days=100, won_days=300)

    plan = plan_returns(NOW)

    assert [(p.customer.name, p.trigger, p.days) for p in plan] == [("久未成交", "no_won_deal", 181)]
    with translation.override("en"):
        assert plan[0].reason() == "Returned to 全国公海: no won deal for 181 days under rule “180 天未成交”"
    run()
    assert Customer.objects.get(pk=stale.pk).pool == org.national
    assert Customer.objects.filter(pk__in=[recent.pk, new_owner.pk], owner=org.users["li"]).count() == 2


def test_rule_for_departments_covers_their_subtrees_only(org):
    with as_system():
        rule(org.east, "华东 30 天", no_follow_up_days=30).departments.add(org.departments["sales"])
    east = org.customer("华东客户", owner="wang", owned_days=90)
    north = org.customer("华北客户", owner="zhao", owned_days=90)
    assert [p.customer.pk for p in plan_returns(NOW)] == [east.pk]
    assert north.department == org.departments["north"]


def test_warning_x_days_before_and_only_once(org, django_capture_on_commit_callbacks):
    rule(org.east, "A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5)
    soon = org.customer("快到期", owner="zhang", owned_days=90, contacted_days=26)
    not_yet = org.customer("还早", owner="zhang", owned_days=90, contacted_days=24.5)

    with django_capture_on_commit_callbacks(execute=True):
        summary = run()

    assert (summary["returned"], summary["warned"]) == (0, 1)
    move = PoolMove.objects.get(action="warned")
    assert move.customer == soon and move.from_user == org.users["zhang"]
    with translation.override("en"):
        assert move.reason() == "Returns to 华东公海 in 4 days under rule “A级 30 天” unless followed up"
    note = Notification.objects.get(recipient=org.users["zhang"])
    assert note.title == "1 customer will return to the pool soon" and note.level == "warning"
    assert Customer.objects.get(pk=soon.pk).owner == org.users["zhang"]  # warned, not moved

    # the next night: still inside the window, but warned already — nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert run(NOW + dt.timedelta(hours=20))["warned"] == 1  # 还早 enters its window now
    assert list(
        PoolMove.objects.filter(action="warned").values_list("customer__name", flat=True).order_by("time")
    ) == [
        "快到期",
        "还早",
    ]
    # after a follow-up the counting moment moves: the next approach warns again
    Customer.objects.filter(pk=soon.pk).update(last_contacted_at=NOW + dt.timedelta(hours=1))
    later = run(NOW + dt.timedelta(days=26))
    assert (later["returned"], later["warned"]) == (1, 1)  # 还早 is due by then; 快到期 warned anew
    assert PoolMove.objects.filter(customer=soon, action="warned").count() == 2
    assert Customer.objects.get(pk=not_yet.pk).pool == org.east


def test_exemption_registry_keeps_customers(org):
    rule(org.east, "A级 30 天", no_follow_up_days=30, warn_days_before=5)
    open_deal = org.customer("有进行中商机", owner="zhang", owned_days=90, notes="OPEN-DEAL")
    plain = org.customer("普通客户", owner="zhang", owned_days=90)
    warned_exempt = org.customer("快到期但有合同", owner="zhang", owned_days=27, notes="OPEN-DEAL")

    def open_deals(qs):  # a stand-in for sales' "open deals" exemption
        return Q(notes="OPEN-DEAL")

    def signed(qs):  # a queryset-returning exemption works too
        return qs.filter(name="普通客户")

    register_pool_exemption(open_deals)
    try:
        assert [p.customer.pk for p in plan_returns(NOW)] == [plain.pk]
        register_pool_exemption(signed)
        assert plan_returns(NOW) == []
        run()
    finally:
        unregister_pool_exemption(open_deals)
        unregister_pool_exemption(signed)
    assert (
        Customer.objects.filter(pk__in=[open_deal.pk, plain.pk, warned_exempt.pk], pool__isnull=True).count()
        == 3
    )
    assert not PoolMove.objects.exists()


def test_dry_run_equals_what_apply_does_and_apply_is_idempotent(org):
    rule(org.east, "A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5)
    rule(org.national, "B级 20 天", levels=["B"], no_follow_up_days=20)
    for n in range(4):
        org.customer(f"A{n}", owner="zhang", level="A", owned_days=40 - n * 3)  # 40, 37, 34 due; 31 due
    org.customer("A-warn", owner="li", level="A", owned_days=27)
    org.customer("B-due", owner="wang", level="B", owned_days=21)
    before = list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id"))

    dry = run(dry_run=True)
    assert list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id")) == before
    assert not PoolMove.objects.exists()
    planned = sorted((p.customer.pk, p.kind, p.pool.pk) for p in dry["plan"])

    done = run()
    moved = sorted(PoolMove.objects.values_list("customer_id", "action", "pool_id"))
    assert moved == sorted(
        (pk, "returned" if kind == "return" else "warned", pool) for pk, kind, pool in planned
    )
    assert (done["returned"], done["warned"]) == (5, 1)

    again = run()
    assert (again["returned"], again["warned"]) == (0, 0)
    assert PoolMove.objects.count() == 6


def test_plan_query_count_does_not_grow_with_customers(org, django_assert_max_num_queries):
    rule(org.east, "A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5)
    rule(org.east, "180 天", no_won_deal_days=180)
    for n in range(5):
        org.customer(f"C{n}", owner="zhang", owned_days=200)
    with django_assert_max_num_queries(8):
        small = plan_returns(NOW)
    for n in range(5, 40):
        org.customer(f"C{n}", owner="li", owned_days=200)
    with django_assert_max_num_queries(8):
        big = plan_returns(NOW)
    assert (len(small), len(big)) == (5, 40)


def test_nightly_schedule_runs_the_rules_as_the_system(org, django_capture_on_commit_callbacks):
    from guanxi.customers.tasks import run_pool_rules
    from guanxi.framework.schedules import discover

    schedule = discover()["pool_rules"]
    assert (schedule.at, schedule.every) == (dt.time(2, 0), None)
    rule(org.east, "A级 30 天", no_follow_up_days=30)
    customer = org.customer("很久没联系", owner="zhang", owned_days=400)  # dates count back from NOW

    with django_capture_on_commit_callbacks(execute=True):
        assert run_pool_rules.call() == {"returned": 1, "warned": 0}
    change = ObjectChange.objects.get(
        changed_object_type__model="customer", changed_object_id=customer.pk, action="update"
    )
    assert (change.source, change.user) == ("task", None)
    assert run_pool_rules.call() == {"returned": 0, "warned": 0}  # a doubled run moves nothing


@pytest.mark.parametrize(
    ("language", "days_left", "trigger", "sentence"),
    [
        ("en", 0, "no_follow_up", "Returns to 华东公海 within a day under rule “R” unless followed up"),
        ("en", 1, "no_follow_up", "Returns to 华东公海 in 1 day under rule “R” unless followed up"),
        ("en", 2, "no_won_deal", "Returns to 华东公海 in 2 days under rule “R” unless a deal is won"),
        ("zh-hans", 0, "no_follow_up", "如不跟进，将在一天内按规则“R”退回华东公海"),
        ("zh-hans", 1, "no_won_deal", "如未成交，将在 1 天后按规则“R”退回华东公海"),
    ],
)
def test_warning_sentence_says_days_as_people_do(language, days_left, trigger, sentence):
    from django.utils import translation

    from guanxi.customers.pools.services.rules import warning_sentence

    with translation.override(language):
        assert warning_sentence({"pool": "华东公海", "rule": "R", "trigger": trigger}, days_left) == sentence


@pytest.mark.usefixtures("no_deal_records")
def test_won_deal_trigger_is_inactive_until_deals_are_recorded(org):
    from guanxi.customers.pools.services.rules import next_return, won_deal_inactive_reason

    rule(org.national, "180 天未成交", no_won_deal_days=180)
    stale = org.customer("久未成交", owner="li", owned_days=400, contacted_days=1)

    assert plan_returns(NOW) == []
    assert next_return(stale, NOW) is None
    with translation.override("zh-hans"):
        assert won_deal_inactive_reason() == "未生效：尚无模块记录成交，不会因没有成交而退回客户。"
    summary = run()
    stale.refresh_from_db()
    assert (summary["returned"], stale.owner) == (0, org.users["li"])
    assert not PoolMove.objects.exists()


@pytest.mark.usefixtures("deals_recorded")
def test_won_deal_trigger_never_returns_a_won_or_repeat_customer_without_a_deal_record(org):
    from guanxi.customers.pools.services.rules import next_return, won_deal_inactive_reason

    rule(org.national, "180 天未成交", no_won_deal_days=180)
    won = org.customer("已成交", owner="li", owned_days=400, contacted_days=1)
    repeat = org.customer("复购客户", owner="li", owned_days=400, contacted_days=1)
    prospect = org.customer("潜在客户", owner="li", owned_days=400, contacted_days=1)
    with as_system():
        Customer.objects.filter(pk=won.pk).update(stage="won")
        Customer.objects.filter(pk=repeat.pk).update(stage="repeat")
    won.refresh_from_db()

    assert won_deal_inactive_reason() == ""
    assert [(p.customer.name, p.trigger) for p in plan_returns(NOW)] == [("潜在客户", "no_won_deal")]
    assert next_return(won, NOW) is None
    run()
    assert list(Customer.objects.filter(pool=org.national).values_list("name", flat=True)) == ["潜在客户"]
    assert Customer.objects.filter(pk__in=[won.pk, repeat.pk], owner=org.users["li"]).count() == 2
    assert prospect.pk
