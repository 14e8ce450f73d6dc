"""Shared set-up of the contract tests: 王芳 (rep1) owns 上海华康医疗器械有限公司 and its deal, with an
accepted quote; 陈静 (rep2) is in another department; 张伟 (manager1) manages east1."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.contracts.models import Contract, Order
from guanxi.contracts.services import OrderLineInput, create_contract, create_order, save_order_lines
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.products.models import Product
from guanxi.quotes.models import Quote
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal, make_pipeline
from guanxi.users.models import Department, User

REP = ["view", "add", "change"]
MANAGER = ["view", "add", "change", "export", "assign"]
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture
def c(db):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()  # created after migrate; again here in case a flush removed it
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        east2 = Department.objects.create(name="华东销售二部")
        manager = User.objects.create_user(username="manager1", name="张伟", department=east1, language="en")
        east1.manager = manager
        east1.save()
        rep1 = User.objects.create_user(
            username="rep1", name="王芳", department=east1, manager=manager, language="en"
        )
        rep2 = User.objects.create_user(username="rep2", name="陈静", department=east2, language="en")
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=rep1, level="A")
        other = Customer.objects.create(name="杭州西湖软件有限公司", owner=rep2)
        crm = Product.objects.create(
            sku="CRM-PRO", name="关系云专业版", name_en="Guanxi Cloud Pro", unit="套",
            list_price_amount=Decimal("19800.00"), tax_rate=Decimal("13"),
        )  # fmt: skip
    for user in (rep1, rep2):
        for model in (Deal, Customer, Quote, Contract, Order):
            give_role(user, model, "own", REP, name=f"rep-{model._meta.model_name}-{user.username}")
        give_role(user, Product, "all", ["view"], name=f"rep-product-{user.username}")
    for model in (Deal, Customer, Quote, Contract, Order):
        give_role(manager, model, "department_tree", MANAGER, name=f"mgr-{model._meta.model_name}")
    pipeline = make_pipeline()
    deal = make_deal(rep1, customer, pipeline, name="华康 CRM 项目")
    rep1, rep2, manager = (User.objects.get(pk=u.pk) for u in (rep1, rep2, manager))
    return SimpleNamespace(
        rep1=rep1, rep2=rep2, manager1=manager, customer=customer, other=other, deal=deal,
        pipeline=pipeline, crm=crm,
    )  # fmt: skip


def new_contract(owner, customer, **fields) -> Contract:
    fields.setdefault("title", "华康年度服务合同")
    fields.setdefault("amount_amount", Decimal("50000.00"))
    with as_user(owner):
        return create_contract(actor=owner, contract=Contract(customer=customer, owner=owner, **fields))


def new_order(owner, customer, rows: list[OrderLineInput] | None = None, **fields) -> Order:
    with as_user(owner):
        order = create_order(actor=owner, order=Order(customer=customer, owner=owner, **fields))
        if rows:
            save_order_lines(order, rows, actor=owner)
    order.refresh_from_db()
    return order


def accepted_quote(c, *, discount: str = "0", quantity: str = "1") -> Quote:
    """A quote on 华康's deal, accepted by the customer (¥19,800 list price, 13 % tax)."""
    from guanxi.framework.statemachine import transition
    from guanxi.quotes.services import LineInput, create_quote, save_quote_lines

    with as_user(c.rep1):
        quote = create_quote(actor=c.rep1, quote=Quote(deal=c.deal, owner=c.rep1, title="华康 CRM 报价"))
        save_quote_lines(
            quote, [LineInput(product=c.crm, quantity=quantity, discount_percent=discount)], actor=c.rep1
        )
    quote.refresh_from_db()
    with as_system():
        # the quote's own machine is tested in guanxi/quotes: here it is simply accepted
        Quote.objects.filter(pk=quote.pk).update(status="sent")
    quote.refresh_from_db()
    with as_user(c.rep1):
        transition(quote, "accept", actor=c.rep1)
    quote.refresh_from_db()
    return quote


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
