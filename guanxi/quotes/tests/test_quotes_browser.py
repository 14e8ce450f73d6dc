"""A rep builds a quote with a 20 % discount on a deal, submits it (it waits for the manager's
approval) and downloads the PDF, which pdftotext reads back with the Chinese customer name and the
exact total — in Chinese and English."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.products.models import PriceList, PriceListItem, Product
from guanxi.quotes.models import Quote
from guanxi.sales.models import Deal
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    LOCALE_ZH: {
        "create": "创建",
        "edit_lines": "编辑明细",
        "save_lines": "保存明细",
        "total": "¥30,374.40",
        "submit": "提交审批",
        "pending": "待审批",
        "pdf": "pdf-zh",
        "title": "报价单",
    },
    LOCALE_EN: {
        "create": "Create",
        "edit_lines": "Edit lines",
        "save_lines": "Save lines",
        "total": "CNY 30,374.40",
        "submit": "Submit for approval",
        "pending": "Pending approval",
        "pdf": "pdf-en",
        "title": "Quotation",
    },
}


@pytest.fixture
def deal(db):
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
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", level="A", owner=rep)
        product = Product.objects.create(
            sku="CRM-PRO", name="关系云专业版", name_en="Guanxi Cloud Pro", list_price_amount=Decimal("19800")
        )
        level_a = PriceList.objects.create(name="A级客户价", currency="CNY", customer_level="A")
        PriceListItem.objects.create(price_list=level_a, product=product, price_amount=Decimal("16800"))
        pipeline = make_pipeline()
        deal = Deal.objects.create(
            name="华康 CRM 项目",
            customer=customer,
            pipeline=pipeline,
            stage=pipeline.stages.order_by("order").first(),
            owner=rep,
        )
    for model, actions in ((Quote, ["view", "add", "change"]), (Deal, ["view"]), (Customer, ["view"])):
        give_role(rep, model, "own", actions, name=f"browser-{model._meta.model_name}")
    give_role(rep, Product, "all", ["view"], name="browser-product")
    return deal


def pdf_text(path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: run make setup"
    return subprocess.run(  # noqa: S603  (fixed command on the downloaded file)
        [pdftotext, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_build_a_discounted_quote_submit_it_and_download_the_pdf(
    new_context, live_server, deal, locale, tmp_path
):
    text = TEXT[locale]
    page = new_context(locale=locale, accept_downloads=True).new_page()
    login(page, live_server, "rep", "pw-browser-rep")
    page.goto(f"{live_server.url}/quotes/add/?deal={deal.pk}")
    # The deal it was opened from is already chosen in the deal picker.
    expect(page.locator(".picker[data-name=deal] input[name=deal]")).to_have_value(str(deal.pk))
    expect(page.locator(".picker[data-name=deal]").get_by_role("combobox")).to_have_value("华康 CRM 项目")
    page.locator("input[name=title]").fill("华康 CRM 报价")
    page.get_by_role("button", name=text["create"], exact=True).click()
    page.get_by_role("link", name=text["edit_lines"]).click()
    form = page.locator("#quote-lines-form")
    form.locator("select[name=line-0-product]").select_option(
        label="CRM-PRO " + ("关系云专业版" if locale == LOCALE_ZH else "Guanxi Cloud Pro")
    )
    form.locator("input[name=line-0-quantity]").fill("2")
    form.locator("input[name=line-0-discount_percent]").fill("20")
    form.get_by_role("button", name=text["save_lines"]).click()
    total = page.get_by_test_id("grand-total")
    assert total.inner_text() == text["total"]  # 2 × ¥16,800 − 20 % + 13 % VAT
    page.locator("#transition-submit").click()
    page.get_by_text(text["pending"]).first.wait_for()
    quote = Quote.objects.get()
    with page.expect_download() as download_info:
        page.get_by_test_id(text["pdf"]).click()
    download = download_info.value
    assert download.suggested_filename == f"{quote.number}-v1.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    content = pdf_text(target)
    assert "上海华康医疗器械有限公司" in content
    assert text["total"] in content and text["title"] in content
    settle(page)
    quote.refresh_from_db()
    assert quote.status == "pending_approval" and quote.grand_total_amount == Decimal("30374.40")
    # On a phone the lines are a card each, every figure inside the screen under its label (the
    # table showed the line number and the item, the rest scrolled out of sight).
    phone = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(phone, live_server, "rep", "pw-browser-rep")
    phone.goto(f"{live_server.url}{quote.get_absolute_url()}")
    line = phone.locator("table.table-cards tbody tr").first
    expect(line.locator("td.cell-title")).to_contain_text("CRM-PRO")
    amount = line.locator("td.cell-card").last
    expect(amount).to_have_text(text["total"])  # the one line: its total with tax
    found = amount.bounding_box()
    assert found is not None and found["x"] + found["width"] <= PHONE_VIEWPORT["width"]
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    settle(phone)


TOTALS = {
    LOCALE_ZH: {"grand": "¥39,914.40", "labels": ["小计", "折扣", "税额", "总计"]},
    LOCALE_EN: {"grand": "CNY 39,914.40", "labels": ["Subtotal", "Discount", "Tax", "Grand total"]},
}
BOXES = """() => {
  const box = (el) => el.getBoundingClientRect();
  const card = document.querySelector('#quote-lines');
  const wrap = card.querySelector('.table-wrap');
  const table = wrap.querySelector('table');
  const totals = document.querySelector('#quote-totals');
  const amounts = [...table.querySelectorAll('tbody td.cell-card:last-child')].map(box);
  return {
    table: table.scrollWidth, wrap: wrap.clientWidth, card: box(card), totals: box(totals),
    lines: box(table), amountsRight: Math.max(...amounts.map((b) => b.right)),
    labels: [...totals.querySelectorAll('dt')].map((dt) => dt.innerText.trim()),
    profile: document.querySelector('#quote-profile').innerText,
  };
}"""


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_the_totals_show_once_under_the_lines_on_a_desktop_and_a_phone(new_context, live_server, q, locale):
    """The totals were listed twice (in the profile panel and under the lines) and at 1280 px the
    lines table was cut off at the Amount column: once, under the lines, each figure in view."""
    from guanxi.framework.testing.fixtures import PASSWORD
    from guanxi.quotes.services import LineInput
    from guanxi.quotes.tests.conftest import new_quote, with_lines

    with as_system():
        q.rep1.set_password(PASSWORD)
        q.rep1.language = ""
        q.rep1.save()
    quote = with_lines(
        new_quote(q.rep1, q.deal),
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="20"),
            LineInput(product=q.training, quantity="3"),
        ],
    )
    text = TOTALS[locale]
    for viewport in ({"width": 1280, "height": 900}, PHONE_VIEWPORT):
        page = new_context(locale=locale, viewport=viewport).new_page()
        login(page, live_server, "rep1")
        page.goto(f"{live_server.url}{quote.get_absolute_url()}")
        expect(page.get_by_test_id("grand-total")).to_have_text(text["grand"])
        found = page.evaluate(BOXES)
        assert found["labels"] == text["labels"]
        assert all(label not in found["profile"].split("\n") for label in text["labels"])
        assert found["table"] <= found["wrap"], viewport  # every column of the lines in view
        assert found["totals"]["top"] >= found["lines"]["bottom"]  # under the lines
        assert found["totals"]["right"] <= found["card"]["right"]
        if viewport is not PHONE_VIEWPORT:  # the figures end where the line amounts end
            assert abs(found["totals"]["right"] - found["amountsRight"]) <= 12
        assert overflow_width(page) <= viewport["width"]
        settle(page)


PHONE_TEXT = {
    LOCALE_ZH: {
        "status": "草稿",
        "status_label": "状态",
        "total_label": "总计",
        "title": "报价单",
        "number_label": "编号",
    },
    LOCALE_EN: {
        "number_label": "number",
        "status": "Draft",
        "status_label": "Status",
        "total_label": "grand total",
        "title": "Quotation",
    },
}


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_a_rep_reads_the_quote_list_and_the_printable_page_on_a_phone(new_context, live_server, q, locale):
    """On a phone the list's cards showed the version and the label (number and version again) but
    neither status nor total; the printable page had no viewport, so it was laid out 980 px wide:
    the number and the totals were off screen and the page scrolled sideways."""
    from guanxi.framework.testing.fixtures import PASSWORD
    from guanxi.quotes.services import LineInput
    from guanxi.quotes.tests.conftest import new_quote, with_lines

    with as_system():
        q.rep1.set_password(PASSWORD)
        q.rep1.language = ""
        q.rep1.save()
    quote = with_lines(
        new_quote(q.rep1, q.deal, title="华康 CRM 报价"),
        q.rep1,
        [
            LineInput(product=q.crm, quantity="2", discount_percent="20"),
            LineInput(product=q.training, quantity="3"),
        ],
    )
    text = PHONE_TEXT[locale]
    grand = TOTALS[locale]["grand"]
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "rep1")
    page.goto(f"{live_server.url}/quotes/")
    row = page.locator("table.table tbody tr").first
    # The card's title is the quote's own title, linked; its number is a card field (the label
    # "Q-… v1 <title>" as the title showed the number twice once the number is on the card).
    title = row.locator("td.cell-title a")
    expect(title).to_have_text("华康 CRM 报价")
    assert title.get_attribute("href") == f"/quotes/{quote.pk}/"
    number = row.locator(f'td.cell-card[data-label="{text["number_label"]}" i]')
    expect(number).to_have_text(quote.number)
    expect(number).to_be_visible()
    assert row.inner_text().count(quote.number) == 1
    # the title leads the card, though the Number column comes before it in the table
    assert title.bounding_box()["y"] < number.bounding_box()["y"]
    page.screenshot(path=f"/tmp/quote-list-phone-{locale}.png")  # noqa: S108
    expect(row.locator(f'td.cell-card[data-label="{text["status_label"]}"]')).to_have_text(text["status"])
    total = row.locator("td.cell-card").filter(has_text=grand)
    expect(total).to_be_visible()
    assert total.get_attribute("data-label").lower() == text["total_label"].lower()
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]

    page.goto(f"{live_server.url}/quotes/{quote.pk}/print/")
    expect(page.locator(".quote-print h1")).to_have_text(text["title"])
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]  # the page itself does not scroll sideways
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.quote-print .meta, .quote-print table.totals td')]
                 .map((el) => el.getBoundingClientRect().right)"""
    )
    assert boxes and max(boxes) <= PHONE_VIEWPORT["width"], boxes  # the number and every total in view
    expect(page.locator(".quote-print table.totals tr.grand td")).to_have_text(grand)
    page.screenshot(path=f"/tmp/quote-print-phone-{locale}.png", full_page=True)  # noqa: S108
    settle(page)
