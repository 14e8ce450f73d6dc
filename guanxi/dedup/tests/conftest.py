"""Fixtures: customers with known duplicates, owned by two reps, and a reviewer who sees only one's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role


@pytest.fixture
def world(db):
    """张's customers: 星河 twice (same mobile, names in two spellings) and 北京星河 (similar name);
    李's: a customer sharing 张's email. ``reviewer`` holds view+dedup on their own records only."""
    zhang = make_user("zhang", language="en")
    li = make_user("li", language="en")
    admin = make_user("boss", superuser=True, language="zh-hans")
    with as_system():
        make = Customer.objects.create
        c = SimpleNamespace(
            a=make(name="星河科技有限公司", phone="+8613800138000", owner=zhang),
            b=make(name="（上海）星河科技股份有限公司", phone="+8613800138000", owner=zhang),
            c=make(name="北京星河科技有限公司", owner=zhang),
            d=make(name="萬達貿易有限公司", email="sales@wanda.cn", owner=zhang),
            e=make(name="万达贸易", email="sales@wanda.cn", owner=li),
            f=make(name="完全无关的公司", owner=li),
        )
    give_role(zhang, Customer, "own", ["view", "change", "dedup"], name="张-dedup")
    give_role(li, Customer, "own", ["view"], name="李-view")
    return SimpleNamespace(
        zhang=zhang, li=li, admin=admin, c=c, ct=ContentType.objects.get_for_model(Customer)
    )
