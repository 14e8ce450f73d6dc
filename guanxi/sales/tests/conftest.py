"""Shared set-up of the sales tests: a pipeline with required fields, reps, a manager."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.users.models import Department, User

REP = ["view", "add", "change"]
MANAGER = ["view", "add", "change", "export", "assign"]


def make_pipeline(name: str = "标准销售流程", *, is_default: bool = True) -> Pipeline:
    """初步接洽 → 需求确认 → 方案报价 (needs amount and close date) → 谈判 → 赢单 / 输单."""
    with as_system():
        # Only one pipeline can be the default: a second suite in the same database gets a plain one.
        is_default = is_default and not Pipeline.objects.filter(is_default=True).exists()
        pipeline = Pipeline.objects.create(name=name, name_en="Standard", is_default=is_default)
        rows = [
            ("初步接洽", "Qualification", 10, "open", 14, []),
            ("需求确认", "Needs analysis", 30, "open", 21, []),
            ("方案报价", "Proposal", 60, "open", 21, ["amount_amount", "expected_close_date"]),
            ("谈判", "Negotiation", 80, "open", 14, []),
            ("赢单", "Won", 100, "won", None, []),
            ("输单", "Lost", 0, "lost", None, []),
        ]
        for order, (zh, en, probability, kind, stale, required) in enumerate(rows):
            Stage.objects.create(
                pipeline=pipeline,
                name=zh,
                name_en=en,
                order=order,
                probability=probability,
                kind=kind,
                stale_after_days=stale,
                required_fields=required,
            )
    return pipeline


def stage(pipeline: Pipeline, name_en: str) -> Stage:
    return pipeline.stages.get(name_en=name_en)


def make_deal(owner, customer, pipeline, **fields) -> Deal:
    from guanxi.framework.testing.fixtures import as_user
    from guanxi.sales.services import create_deal

    with as_user(owner):
        return create_deal(
            actor=owner,
            deal=Deal(
                name=fields.pop("name", "ERP 项目"),
                customer=customer,
                pipeline=pipeline,
                owner=owner,
                **fields,
            ),
        )


@pytest.fixture
def sales(db):
    """王芳 (rep1, east1) and 陈静 (rep2, east2) own their deals; 张伟 manages east1."""
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        east2 = Department.objects.create(name="华东销售二部")
        manager = User.objects.create_user(username="manager1", name="张伟", department=east1, language="en")
        rep1 = User.objects.create_user(
            username="rep1", name="王芳", department=east1, manager=manager, language="en"
        )
        rep2 = User.objects.create_user(username="rep2", name="陈静", department=east2, language="en")
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=rep1)
    for user in (rep1, rep2):
        give_role(user, Deal, "own", REP, name=f"rep-deal-{user.username}")
        give_role(user, Customer, "own", REP, name=f"rep-customer-{user.username}")
    for user in (rep1, rep2, manager):
        give_role(user, Pipeline, "all", ["view"], name=f"pipeline-{user.username}")
    give_role(manager, Deal, "department_tree", MANAGER, name="mgr-deal")
    give_role(manager, Customer, "department_tree", MANAGER, name="mgr-customer")
    pipeline = make_pipeline()
    users = {u.username: u for u in User.objects.filter(username__in=["manager1", "rep1", "rep2"])}
    return SimpleNamespace(east1=east1, east2=east2, pipeline=pipeline, customer=customer, **users)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
