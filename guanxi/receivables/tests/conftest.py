"""Shared set-up of the receivables tests: the contracts' fixture (王芳 rep1 owns 上海华康医疗器械有限公司;
陈静 rep2 in another department; 张伟 manager1 manages east1) plus 刘洋 (finance1), who may
record, confirm and reject receipts and approve and issue invoice requests everywhere."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.contracts.models import Contract, ContractStatus
from guanxi.contracts.tests.conftest import c as contracts_fixture  # noqa: F401  (the base fixture)
from guanxi.contracts.tests.conftest import new_contract
from guanxi.customers.models import Customer
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt
from guanxi.receivables.services import split_plan
from guanxi.users.models import User

REP = ["view", "add", "change"]
FINANCE = ["view", "add", "change", "delete", "export", "approve"]


@pytest.fixture
def c(contracts_fixture):  # noqa: F811
    env = contracts_fixture
    with as_system():
        finance = User.objects.create_user(username="finance1", name="刘洋", language="en")
    for user in (env.rep1, env.rep2):
        for model in (Receipt, InvoiceRequest):
            give_role(user, model, "own", REP, name=f"rep-{model._meta.model_name}-{user.username}")
    for model in (Receipt, InvoiceRequest):
        give_role(
            env.manager1, model, "department_tree", [*REP, "export"], name=f"mgr-{model._meta.model_name}"
        )
    give_role(finance, Receipt, "all", FINANCE, name="finance-receipt")
    give_role(finance, InvoiceRequest, "all", [*FINANCE, "issue"], name="finance-invoice")
    give_role(finance, Contract, "all", ["view"], name="finance-contract")
    give_role(finance, Customer, "all", ["view"], name="finance-customer")
    env.finance = User.objects.get(pk=finance.pk)
    return env


def today():
    """The application's today (its time zone), read when a test runs: a module constant
    would keep the day the module was imported on past midnight."""
    return timezone.localdate()


def signed_contract(owner, customer, amount: str = "100000.00", **fields) -> Contract:
    """A contract made active directly (its own machine is tested in guanxi/contracts)."""
    contract = new_contract(owner, customer, amount_amount=Decimal(amount), **fields)
    with as_system():
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.ACTIVE)
    contract.refresh_from_db()
    return contract


def planned(contract, owner, count: int = 3, first: datetime.date | None = None) -> list[Installment]:
    with as_user(owner):
        split_plan(contract, actor=owner, count=count, first_due_on=first or timezone.localdate())
    return list(Installment.objects.filter(contract=contract).order_by("sequence"))


def record(user, contract, amount: str, **fields) -> Receipt:
    from guanxi.framework.write import save_object

    receipt = Receipt(contract=contract, amount_amount=Decimal(amount), amount_currency="CNY", **fields)
    with as_user(user):
        receipt.full_clean()
        save_object(receipt, actor=user)
    return receipt


def confirm(user, receipt) -> Receipt:
    with as_user(user):
        transition(receipt, "submit", actor=user)
    receipt.refresh_from_db()
    return receipt
