"""Scenario tests of claiming, putting back, moving in and assigning out, and who sees a pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guanxi.core.models import Notification, ObjectChange
from guanxi.customers.models import Customer, PoolMove
from guanxi.customers.pools.services.pools import (
    PoolRuleRefusal,
    assign_from_pool,
    claim_customer,
    move_to_pool,
    release_to_pool,
)
from guanxi.customers.pools.tests import pool_fixtures
from guanxi.customers.pools.tests.pool_fixtures import NOW, SHANGHAI, fresh
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.testing.fixtures import as_system, as_user

pytestmark = pytest.mark.django_db
org = pool_fixtures.org  # the fixture


def claim(customer, user, now=NOW):
    user = fresh(user)
    with as_user(user), translation.override("en"):
        return claim_customer(Customer.objects.get(pk=customer.pk), actor=user, now=now)


def refusal(customer, user, now=NOW):
    before = list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id"))
    moves = PoolMove.objects.count()
    with pytest.raises(ValidationError) as caught:
        claim(customer, user, now)
    assert list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "pool_id")) == before
    assert PoolMove.objects.count() == moves
    return caught.value


def test_claim_takes_the_customer_and_logs_it(org):
    customer = org.customer("杭州云帆贸易有限公司", pool=org.east)
    claimed = claim(customer, org.users["zhang"])
    assert (claimed.owner, claimed.pool, claimed.owned_since, claimed.department) == (
        org.users["zhang"],
        None,
        NOW,
        org.departments["east1"],
    )
    move = PoolMove.objects.get()
    assert (move.action, move.to_user, move.actor, move.pool) == (
        "claimed",
        org.users["zhang"],
        org.users["zhang"],
        org.east,
    )
    change = ObjectChange.objects.get(
        changed_object_type__model="customer", changed_object_id=customer.pk, action="update"
    )
    assert (change.user, change.prechange_data, change.postchange_data) == (
        org.users["zhang"],
        {
            "owner": None,
            "pool": org.east.pk,
            "department": None,
        },
        {
            "owner": org.users["zhang"].pk,
            "pool": None,
            "department": org.departments["east1"].pk,
        },
    )


def test_cap_on_owned_customers_names_the_rule(org):
    org.east.max_owned_customers = 2
    with as_system():
        org.east.save()
    org.customer("已有1", owner="zhang", owned_days=3)
    org.customer("已有2", owner="zhang", owned_days=3)
    customer = org.customer("公海客户", pool=org.east)
    error = refusal(customer, org.users["zhang"])
    assert isinstance(error, PoolRuleRefusal) and error.rule == "max_owned"
    assert error.messages == ["You already own 2 customers; 华东公海 allows at most 2 per person."]
    with as_user(org.users["zhang"]), translation.override("zh-hans"), pytest.raises(PoolRuleRefusal) as zh:
        claim_customer(customer, actor=fresh(org.users["zhang"]), now=NOW)
    assert zh.value.messages == ["您已负责 2 个客户；华东公海规定每人最多 2 个。"]


def test_cap_per_day_counts_the_shanghai_day(org):
    org.east.max_claims_per_day = 2
    with as_system():
        org.east.save()
    customers = [org.customer(f"公海{n}", pool=org.east) for n in range(4)]
    morning = dt.datetime(2026, 11, 3, 0, 30, tzinfo=SHANGHAI)  # 16:30 UTC the day before
    claim(customers[0], org.users["zhang"], morning)
    claim(customers[1], org.users["zhang"], morning + dt.timedelta(hours=10))
    error = refusal(customers[2], org.users["zhang"], dt.datetime(2026, 11, 3, 23, 59, tzinfo=SHANGHAI))
    assert error.messages == ["You claimed 2 customers today; 华东公海 allows 2 a day."]
    # just after midnight in Shanghai it is a new day (still 3 Nov in UTC)
    claimed = claim(customers[2], org.users["zhang"], dt.datetime(2026, 11, 4, 0, 1, tzinfo=SHANGHAI))
    assert claimed.owner == org.users["zhang"]
    # another rep's claims do not count against zhang's, nor his against theirs
    assert claim(customers[3], org.users["li"], morning).owner == org.users["li"]


def test_cool_off_before_the_previous_owner_reclaims(org):
    customer = org.customer("退回的客户", owner="zhang", owned_days=40)
    returned_at = dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
    with as_user(org.users["zhang"]):
        release_to_pool(
            customer, actor=fresh(org.users["zhang"]), pool=org.east, reason="客户暂无需求", now=returned_at
        )
    error = refusal(customer, org.users["zhang"], returned_at + dt.timedelta(days=6, hours=23))
    assert error.rule == "cooloff"
    assert error.messages == [
        "You returned this customer on November 3; you may claim it again after November 10 "
        "(cool-off 7 days)."
    ]
    assert claim(customer, org.users["li"], returned_at + dt.timedelta(days=1)).owner == org.users["li"]


def test_cool_off_ends(org):
    customer = org.customer("退回的客户", owner="zhang", owned_days=40)
    with as_user(org.users["zhang"]):
        release_to_pool(customer, actor=fresh(org.users["zhang"]), pool=org.east, reason="暂缓", now=NOW)
    assert claim(customer, org.users["zhang"], NOW + dt.timedelta(days=7)).owner == org.users["zhang"]


def test_second_of_two_concurrent_claims_is_refused(org):
    customer = org.customer("抢手客户", pool=org.east)
    # both reps loaded the pooled row before either claim ran
    first_view = Customer.objects.get(pk=customer.pk)
    second_view = Customer.objects.get(pk=customer.pk)
    zhang, li = fresh(org.users["zhang"]), fresh(org.users["li"])
    with as_user(zhang):
        claim_customer(first_view, actor=zhang, now=NOW)
    with as_user(li), translation.override("en"), pytest.raises(PoolRuleRefusal) as caught:
        claim_customer(second_view, actor=li, now=NOW)
    assert caught.value.rule == "taken"
    assert caught.value.messages == ["Someone else claimed “抢手客户” a moment ago."]
    assert Customer.objects.get(pk=customer.pk).owner == zhang
    assert PoolMove.objects.filter(action="claimed").count() == 1


def test_claim_matching_a_customer_another_rep_owns_is_refused_naming_the_owner(org):
    org.customer("上海星辰科技有限公司", owner="wang", owned_days=5, phone="+8613800138000")
    pooled = org.customer("上海星辰科技", pool=org.east, phone="+8613800138000")
    error = refusal(pooled, org.users["zhang"])
    assert isinstance(error, OwnershipConflict)
    assert "王五" in error.messages[0] and "上海星辰科技有限公司" in error.messages[0]


def test_rep_of_another_department_neither_sees_nor_claims(org):
    pooled = org.customer("华东池客户", pool=org.east)
    national = org.customer("全国池客户", pool=org.national)
    zhao, wang = fresh(org.users["zhao"]), fresh(org.users["wang"])
    assert set(Customer.objects.restrict(zhao, "view").values_list("name", flat=True)) == {"全国池客户"}
    # 华东销售二部 is inside 销售中心's subtree
    assert set(Customer.objects.restrict(wang, "view").values_list("name", flat=True)) == {
        "华东池客户",
        "全国池客户",
    }
    # seeing is not editing: a rep may claim, not change, a pooled customer
    assert not Customer.objects.restrict(wang, "change").exists()
    error = refusal(pooled, org.users["zhao"])
    assert error.messages == ["“华东池客户” is not in a pool visible to you."]
    assert claim(national, org.users["zhao"]).owner == org.users["zhao"]


def test_pool_admin_assigns_from_the_pool_and_others_may_not(org, django_capture_on_commit_callbacks):
    first = org.customer("待分配一", pool=org.east)
    second = org.customer("待分配二", pool=org.east)
    manager, zhang = fresh(org.users["manager"]), fresh(org.users["zhang"])
    assert Customer.objects.restrict(manager, "assign").filter(pk=first.pk).exists()
    with as_user(zhang), pytest.raises(PermissionDenied):
        assign_from_pool([first], actor=zhang, to_user=org.users["li"], now=NOW)
    assert Customer.objects.get(pk=first.pk).owner_id is None
    with as_user(manager), django_capture_on_commit_callbacks(execute=True):
        assert assign_from_pool([first, second], actor=manager, to_user=org.users["li"], now=NOW) == 2
    assert set(Customer.objects.filter(owner=org.users["li"]).values_list("name", flat=True)) == {
        "待分配一",
        "待分配二",
    }
    assert PoolMove.objects.filter(action="assigned", to_user=org.users["li"], actor=manager).count() == 2
    assert (
        Notification.objects.get(recipient=org.users["li"]).title
        == "2 customers assigned to you from the pool"
    )


def test_release_requires_a_reason_and_is_on_the_timeline(org):
    customer = org.customer("不再跟进", owner="zhang", owned_days=10)
    zhang = fresh(org.users["zhang"])
    with as_user(zhang), translation.override("en"), pytest.raises(ValidationError) as caught:
        release_to_pool(customer, actor=zhang, pool=org.east, reason="  ", now=NOW)
    assert caught.value.message_dict == {"reason": ["Say why the customer goes back to the pool."]}
    assert Customer.objects.get(pk=customer.pk).owner == zhang and not PoolMove.objects.exists()
    with as_user(zhang):
        release_to_pool(customer, actor=zhang, reason="预算取消", now=NOW)  # no pool named: the default
    customer.refresh_from_db()
    assert (customer.owner, customer.pool, customer.previous_owner) == (None, org.national, zhang)
    from guanxi.framework.timeline import timeline

    with translation.override("en"):
        entries, _cursor = timeline(customer, zhang)
    assert "Put back in 全国公海 by 张三: 预算取消" in [e.body for e in entries]


def test_rep_may_not_put_back_someone_elses_customer(org):
    customer = org.customer("李四的客户", owner="li", owned_days=10)
    zhang = fresh(org.users["zhang"])
    with as_user(zhang), pytest.raises(PermissionDenied):
        release_to_pool(customer, actor=zhang, pool=org.east, reason="x", now=NOW)
    assert Customer.objects.get(pk=customer.pk).owner == org.users["li"]


def test_manager_moves_in_bulk_all_or_nothing(org, django_capture_on_commit_callbacks):
    mine = [org.customer(f"一部客户{n}", owner="zhang", owned_days=10) for n in range(2)]
    outside = org.customer("华北客户", owner="zhao", owned_days=10)
    manager = fresh(org.users["manager"])
    with as_user(manager), pytest.raises(ValidationError):
        move_to_pool([*mine, outside], actor=manager, pool=org.east, reason="调整")
    assert Customer.objects.filter(pool__isnull=False).count() == 0
    with as_user(manager), django_capture_on_commit_callbacks(execute=True):
        assert move_to_pool(mine, actor=manager, pool=org.east, reason="调整", now=NOW) == 2
    assert Customer.objects.filter(pool=org.east, previous_owner=org.users["zhang"]).count() == 2
    note = Notification.objects.get(recipient=org.users["zhang"])
    assert note.title == "2 of your customers were moved to 华东公海"
    zhang = fresh(org.users["zhang"])
    with as_user(zhang), pytest.raises(ValidationError):
        move_to_pool([outside], actor=zhang, pool=org.east, reason="调整")
