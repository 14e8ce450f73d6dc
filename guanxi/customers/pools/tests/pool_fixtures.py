"""A small sales organisation with two pools for the pool tests (fixtures, no test of its own).

    销售中心 ─┬─ 华东销售一部 (rep 张三, rep 李四, manager 一部经理)
              └─ 华东销售二部 (rep 王五)
    华北销售部 (rep 赵六)

Pools: 华东公海 (visible to 销售中心's subtree, admin 一部经理) and 全国公海 (default, everyone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guanxi.framework.testing.fixtures import PASSWORD, as_system

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The fake clock: 2026-11-03 10:00 in Shanghai.
NOW = dt.datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


def days_ago(n: float, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(days=n)


@dataclass
class PoolOrg:
    departments: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    east: Any = None
    national: Any = None
    now: dt.datetime = NOW  # what customer() counts days back from

    def customer(
        self,
        name: str,
        *,
        owner: str | None = None,
        pool: Any = None,
        level: str = "A",
        owned_days: float | None = None,
        contacted_days: float | None = None,
        won_days: float | None = None,
        **extra: Any,
    ) -> Any:
        """A customer owned ``owned_days`` ago (or waiting in ``pool``), dates relative to NOW."""
        from guanxi.customers.models import Customer

        user = self.users[owner] if owner else None
        with as_system():
            customer = Customer.objects.create(name=name, level=level, owner=user, **extra)
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=days_ago(owned_days, self.now)
            if user and owned_days is not None
            else customer.owned_since,
            last_contacted_at=days_ago(contacted_days, self.now) if contacted_days is not None else None,
            last_won_at=days_ago(won_days, self.now) if won_days is not None else None,
            pool=pool,
            pool_entered_at=days_ago(1, self.now) if pool is not None else None,
        )
        customer.refresh_from_db()
        return customer


def fresh(user: Any) -> Any:
    """The user re-read: per-request access caches start empty, as in a new request."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def org(db: Any) -> PoolOrg:
    return build_org()


def build_org(now: dt.datetime = NOW) -> PoolOrg:
    """Create the organisation; ``now`` is what customer dates count back from."""
    from guanxi.customers.models import Pool
    from guanxi.users.models import Department, Role, User

    result = PoolOrg(now=now)
    with as_system():
        sales = Department.objects.create(name="销售中心", name_en="Sales")
        east1 = Department.objects.create(name="华东销售一部", name_en="East Sales 1", parent=sales)
        east2 = Department.objects.create(name="华东销售二部", name_en="East Sales 2", parent=sales)
        north = Department.objects.create(name="华北销售部", name_en="North Sales")
        result.departments = {"sales": sales, "east1": east1, "east2": east2, "north": north}
        people = {
            "zhang": ("张三", east1, "销售代表"),
            "li": ("李四", east1, "销售代表"),
            "wang": ("王五", east2, "销售代表"),
            "zhao": ("赵六", north, "销售代表"),
            "manager": ("一部经理", east1, "销售经理"),
        }
        for key, (name, dept, role) in people.items():
            user = User.objects.create_user(
                username=key, password=PASSWORD, name=name, department=dept, language="en"
            )
            Role.objects.get(name=role).users.add(user)
            result.users[key] = user
        result.east = Pool.objects.create(
            name="华东公海", max_owned_customers=50, max_claims_per_day=5, reclaim_cooloff_days=7
        )
        result.east.departments.add(sales)
        result.east.admins.add(result.users["manager"])
        result.national = Pool.objects.create(name="全国公海", is_default=True)
    return result


@pytest.fixture
def deals_recorded() -> Any:
    """As when the sales module records won deals: the "no won deal" trigger is in force."""
    from guanxi.customers.pools.services.rules import register_won_deal_source, unregister_won_deal_source

    register_won_deal_source("tests")
    yield
    unregister_won_deal_source("tests")


@pytest.fixture
def no_deal_records() -> Any:
    """As in an installation without the sales module: no module records won deals."""
    from guanxi.customers.pools.services import rules

    saved = list(rules._WON_DEAL_SOURCES)
    rules._WON_DEAL_SOURCES.clear()
    yield
    rules._WON_DEAL_SOURCES[:] = saved
