"""Shared set-up of the target tests: 销售中心 (director 刘总) over 华东销售一部 (manager 张伟;
reps 王芳, 李娜) and 华东销售二部 (rep 陈静). Managers hold a department-tree grant on targets,
reps a view grant on their own; everyone reads contracts, deals and customers in their scope."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Model

from guanxi.contracts.models import Contract
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.sales.models import Deal
from guanxi.targets.models import Target
from guanxi.users.models import Department, User

CONTRACT_NUMBERS = itertools.count(1)  # set-up contracts skip the numbering service
MANAGE = ["view", "add", "change", "delete", "export", "import"]
YEAR = 2026


def _grant(user: User, models: list[type[Model]], scope: str, actions: list[str]) -> None:
    for model in models:
        give_role(user, model, scope, actions, name=f"{user.username}-{model._meta.model_name}-{scope}")


@pytest.fixture
def org(db):
    with as_system():
        sales = Department.objects.create(name="销售中心")
        east1 = Department.objects.create(name="华东销售一部", parent=sales)
        east2 = Department.objects.create(name="华东销售二部", parent=sales)
        director = User.objects.create_user(username="director", name="刘总", department=sales, language="en")
        manager = User.objects.create_user(
            username="manager1", name="张伟", department=east1, manager=director, language="en"
        )
        rep1 = User.objects.create_user(
            username="rep1", name="王芳", department=east1, manager=manager, language="en"
        )
        rep1b = User.objects.create_user(
            username="rep1b", name="李娜", department=east1, manager=manager, language="en"
        )
        rep2 = User.objects.create_user(
            username="rep2", name="陈静", department=east2, manager=director, language="en"
        )
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=rep1)
    business = [Contract, Deal, Customer]
    for boss in (director, manager):
        _grant(boss, [Target], "department_tree", MANAGE)
        _grant(boss, business, "department_tree", ["view", "add", "change", "export"])
    for rep in (rep1, rep1b, rep2):
        _grant(rep, [Target], "own", ["view"])
        _grant(rep, business, "own", ["view", "add", "change"])
    from guanxi.sales.models import Pipeline, Stage

    for person in (director, manager, rep1, rep1b, rep2):
        _grant(person, [Pipeline, Stage], "all", ["view"])  # reference data every sales role reads
    fresh = {u.username: User.objects.get(pk=u.pk) for u in (director, manager, rep1, rep1b, rep2)}
    return SimpleNamespace(
        sales=sales, east1=east1, east2=east2, customer=customer,
        director=fresh["director"], manager1=fresh["manager1"], rep1=fresh["rep1"],
        rep1b=fresh["rep1b"], rep2=fresh["rep2"],
    )  # fmt: skip


def signed_contract(
    owner: User, customer: Customer, amount: str, signed_on: datetime.date, **fields
) -> Contract:
    """An active contract (the signed measure counts it), written straight for set-up."""
    with as_system():
        return Contract.objects.create(
            number=f"HT-T{next(CONTRACT_NUMBERS):05d}",
            title=fields.pop("title", "年度服务合同"),
            customer=customer,
            owner=owner,
            amount_amount=Decimal(amount),
            signed_on=signed_on,
            status="active",
            **fields,
        )


def target(subject, measure: str, period: str, amount: str, year: int = YEAR) -> Target:
    with as_system():
        if isinstance(subject, User):
            return Target.objects.create(
                user=subject, department_id=subject.department_id or 0, measure=measure, year=year,
                period=period, amount=Decimal(amount),
            )  # fmt: skip
        return Target.objects.create(
            department=subject, measure=measure, year=year, period=period, amount=Decimal(amount)
        )


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
