"""Shared set-up of the quote tests: a deal of 王芳 (rep1) for 上海华康医疗器械有限公司, products
and an A-level price list; 张伟 (manager1) manages east1."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory
from guanxi.quotes.models import Quote
from guanxi.quotes.services import LineInput, create_quote, save_quote_lines
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal, make_pipeline
from guanxi.users.models import Department, User

REP = ["view", "add", "change"]
MANAGER = ["view", "add", "change", "export", "assign"]
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture
def q(db):
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        east2 = Department.objects.create(name="华东销售二部")
        manager = User.objects.create_user(username="manager1", name="张伟", department=east1, language="en")
        rep1 = User.objects.create_user(
            username="rep1", name="王芳", department=east1, manager=manager, language="en"
        )
        rep2 = User.objects.create_user(username="rep2", name="陈静", department=east2, language="en")
        customer = Customer.objects.create(
            name="上海华康医疗器械有限公司", owner=rep1, level="A", address="上海市浦东新区张江路88号"
        )
        software = ProductCategory.objects.create(name="软件", name_en="Software")
        crm = Product.objects.create(
            sku="CRM-PRO", name="关系云专业版", name_en="Guanxi Cloud Pro", category=software, unit="套",
            list_price_amount=Decimal("19800.00"), tax_rate=Decimal("13"),
        )  # fmt: skip
        training = Product.objects.create(
            sku="SRV-TRAIN", name="实施培训", name_en="Training", unit="天",
            list_price_amount=Decimal("3000.00"), tax_rate=Decimal("6"),
        )  # fmt: skip
        level_a = PriceList.objects.create(name="A级客户价", currency="CNY", customer_level="A")
        PriceListItem.objects.create(price_list=level_a, product=crm, price_amount=Decimal("16800.00"))
    for user in (rep1, rep2):
        give_role(user, Deal, "own", REP, name=f"rep-deal-{user.username}")
        give_role(user, Customer, "own", REP, name=f"rep-customer-{user.username}")
        give_role(user, Quote, "own", REP, name=f"rep-quote-{user.username}")
        give_role(user, Product, "all", ["view"], name=f"rep-product-{user.username}")
    give_role(manager, Deal, "department_tree", MANAGER, name="mgr-deal")
    give_role(manager, Customer, "department_tree", MANAGER, name="mgr-customer")
    give_role(manager, Quote, "department_tree", MANAGER, name="mgr-quote")
    pipeline = make_pipeline()
    deal = make_deal(rep1, customer, pipeline, name="华康 CRM 项目")
    rep1, rep2, manager = (User.objects.get(pk=u.pk) for u in (rep1, rep2, manager))
    return SimpleNamespace(
        rep1=rep1, rep2=rep2, manager1=manager, customer=customer, deal=deal, pipeline=pipeline,
        crm=crm, training=training, level_a=level_a,
    )  # fmt: skip


def new_quote(owner, deal, **fields) -> Quote:
    with as_user(owner):
        return create_quote(actor=owner, quote=Quote(deal=deal, owner=owner, **fields))


def with_lines(quote: Quote, actor, rows: list[LineInput]) -> Quote:
    with as_user(actor):
        save_quote_lines(quote, rows, actor=actor)
    quote.refresh_from_db()
    return quote


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
