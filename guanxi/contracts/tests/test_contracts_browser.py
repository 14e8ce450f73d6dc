"""A rep records that the customer accepted a ¥113,904 quote, makes it a contract (and the order)
from the quote's page, and submits the contract: above ¥100,000 it waits for the manager's
approval — in Chinese and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.contracts.models import Contract, Order
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.products.models import Product
from guanxi.quotes.models import Quote
from guanxi.quotes.services import LineInput, create_quote, save_quote_lines
from guanxi.sales.models import Deal
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    LOCALE_ZH: {
        "accept": "客户已接受",
        "accepted": "已接受",
        "create": "生成合同",
        "submit": "提交审批",
        "pending": "待审批",
        "order_total": "¥100,800.00",
    },
    LOCALE_EN: {
        "accept": "Accepted by the customer",
        "accepted": "Accepted",
        "create": "Create the contract",
        "submit": "Submit for approval",
        "pending": "Pending approval",
        "order_total": "CNY 100,800.00",
    },
}


@pytest.fixture
def quote(db):
    from guanxi.approvals.declare import install_declared_flows
    from guanxi.sales.tests.conftest import make_pipeline

    install_declared_flows()  # a transactional test starts from a flushed database
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        manager = User.objects.create_user(username="manager1", name="张伟", department=east1)
        rep = User.objects.create_user(
            username="rep", password="pw-browser-rep", name="王芳", department=east1, manager=manager
        )
        east1.manager = manager
        east1.save()
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=rep)
        product = Product.objects.create(
            sku="CRM-PRO", name="关系云专业版", name_en="Guanxi Cloud Pro",
            list_price_amount=Decimal("16800"), tax_rate=Decimal("13"),
        )  # fmt: skip
        pipeline = make_pipeline()
        deal = Deal.objects.create(
            name="华康 CRM 项目",
            customer=customer,
            pipeline=pipeline,
            stage=pipeline.stages.order_by("order").first(),
            owner=rep,
        )
    for model in (Quote, Deal, Customer, Contract, Order):
        give_role(rep, model, "own", ["view", "add", "change"], name=f"browser-{model._meta.model_name}")
    give_role(rep, Product, "all", ["view"], name="browser-product")
    with as_user(rep):
        quote = create_quote(actor=rep, quote=Quote(deal=deal, owner=rep, title="华康 CRM 报价"))
        save_quote_lines(quote, [LineInput(product=product, quantity="6")], actor=rep)  # ¥113,904.00
    Quote.objects.filter(pk=quote.pk).update(status="sent")  # approved and sent before (quote tests)
    return quote


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_accept_a_quote_create_the_contract_and_submit_it(new_context, live_server, quote, locale):
    text = TEXT[locale]
    page = new_context(locale=locale).new_page()
    login(page, live_server, "rep", "pw-browser-rep")
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    page.locator("#transition-accept").click()  # asks whether to mark the deal won, in a dialog
    page.locator("#transition-accept-dialog").wait_for(state="visible")
    page.locator("#transition-accept-confirm").click()
    expect(page.get_by_test_id("quote-create-contract")).to_have_text(text["create"])
    page.get_by_test_id("quote-create-contract").click()  # with the order (checked by default)
    page.wait_for_url(f"{live_server.url}/contracts/*/")
    contract = Contract.objects.get()
    assert page.url == f"{live_server.url}/contracts/{contract.pk}/"
    expect(page.locator("h1.page-title")).to_contain_text(contract.number)
    orders = page.locator("#contract-orders")
    expect(orders).to_contain_text(Order.objects.get().number)
    expect(orders).to_contain_text(text["order_total"])  # the quote's lines, net of tax
    submit = page.locator("#transition-submit")
    expect(submit).to_have_text(text["submit"])
    submit.click()
    expect(page.get_by_text(text["pending"]).first).to_be_visible()
    settle(page)
    contract.refresh_from_db()
    assert contract.status == "pending_approval" and contract.amount_amount == Decimal("113904.00")
    assert Quote.objects.get(pk=quote.pk).status == "accepted"
    assert [line.quantity for line in Order.objects.get().lines.all()] == [Decimal("6.000")]


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_a_rep_reads_the_contract_list_on_a_phone(new_context, live_server, quote, locale):
    """The card's title is the contract's own title, linked; its number is a card field, read once
    (the title showed "HT-… <title>" beside the Number column)."""
    from tests.browser.conftest import PHONE_VIEWPORT, overflow_width

    rep = User.objects.get(username="rep")
    with as_user(rep):
        contract = Contract.objects.create(
            customer=quote.customer, title="华康年度服务合同", amount_amount=Decimal(1000), owner=rep
        )
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "rep", "pw-browser-rep")
    page.goto(f"{live_server.url}/contracts/")
    row = page.locator("table.table tbody tr").first
    title = row.locator("td.cell-title a")
    expect(title).to_have_text("华康年度服务合同")
    assert title.get_attribute("href") == f"/contracts/{contract.pk}/"
    number = row.locator(
        'td.cell-card[data-label="{}" i]'.format("编号" if locale == LOCALE_ZH else "number")
    )
    expect(number).to_have_text(contract.number)
    assert contract.number and row.inner_text().count(contract.number) == 1
    assert title.bounding_box()["y"] < number.bounding_box()["y"]  # the title leads the card
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"/tmp/contract-list-phone-{locale}.png")  # noqa: S108
    settle(page)
