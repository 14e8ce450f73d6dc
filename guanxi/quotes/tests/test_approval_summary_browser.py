"""张伟 approves a 22-line quote on his phone (375 px), in Chinese and in English: the 待我审批 card
shows the grand total; the request's page shows what he approves above his decision — customer,
deal, grand total, discount, validity and the first 20 lines as cards, then "and 2 more"."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from guanxi.approvals.models import ApprovalRequest
from guanxi.framework.statemachine import transition
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.quotes.services import LineInput
from guanxi.quotes.tests.conftest import new_quote, with_lines
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-browser-manager1"
TEXT = {
    LOCALE_ZH: {
        "lang": "zh-hans",
        "card": "审批内容",
        "grand": "总计",
        "unit_price": "单价",
        "more": "还有 2 项",
        "product": "CRM-PRO 关系云专业版",
    },
    LOCALE_EN: {
        "lang": "en",
        "card": "What is being approved",
        "grand": "Grand total",
        "unit_price": "Unit price",
        "more": "and 2 more",
        "product": "CRM-PRO Guanxi Cloud Pro",
    },
}

# Every cell of the summary inside the phone's width (the lines are cards, not a wide table).
OUTSIDE = """(width) => [...document.querySelectorAll('#approval-summary dd, #approval-summary td')]
  .filter((el) => el.getBoundingClientRect().right > width).length"""


@pytest.fixture
def pending(q):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()  # a transactional test starts from a flushed database
    give_role(q.manager1, ApprovalRequest, "own", ["view"], name="approvals-manager1")
    rows = [LineInput(product=q.crm, quantity="2", discount_percent="20")]
    rows += [
        LineInput(description=f"定制开发 {n}", quantity="1", unit_price="1000", discount_percent="20")
        for n in range(1, 22)
    ]
    quote = with_lines(
        new_quote(q.rep1, q.deal, title="华康报价", valid_until=datetime.date(2027, 1, 31)), q.rep1, rows
    )
    with as_user(q.rep1):
        transition(quote, "submit", actor=q.rep1)
    quote.refresh_from_db()
    request = ApprovalRequest.objects.get(object_id=quote.pk, content_type__model="quote")
    assert request.status == "pending"
    return quote, request


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_the_manager_reads_the_quote_he_approves_at_phone_width(new_context, live_server, q, pending, locale):
    text = TEXT[locale]
    quote, request = pending
    with as_system():
        manager = q.manager1
        manager.language = text["lang"]
        manager.set_password(PASSWORD)
        manager.save()
    grand = quote.grand_total.format(text["lang"])

    page = new_context(
        locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
    login(page, live_server, "manager1", password=PASSWORD)
    page.goto(f"{live_server.url}/approvals/")
    amount = page.locator(f"#approval-{request.pk} td.approval-amount")
    expect(amount).to_have_text(grand)
    box = amount.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]

    with page.expect_navigation():
        page.locator(f"#approval-{request.pk} a").first.click()
    card = page.locator("#approval-summary")
    expect(card.locator("#summary-title")).to_have_text(text["card"])
    fields = card.locator("#approval-summary-fields")
    expect(fields).to_contain_text("上海华康医疗器械有限公司")
    expect(fields).to_contain_text("华康 CRM 项目")
    expect(fields).to_contain_text(text["grand"])
    expect(fields).to_contain_text(grand)
    lines = card.locator("#approval-summary-lines tbody tr")
    expect(lines).to_have_count(20)
    expect(lines.first.locator("td.cell-title")).to_have_text(text["product"])
    unit_price = lines.first.locator(f'td[data-label="{text["unit_price"]}"]')
    expect(unit_price).to_be_visible()  # a card's labelled cell, not a column cut off at 375 px
    more = card.locator("#approval-summary-more a")
    expect(more).to_have_text(text["more"])
    assert more.get_attribute("href") == quote.get_absolute_url()
    # above the decision, inside the phone's width
    summary_box, decide_box = card.bounding_box(), page.locator("#decide-title").bounding_box()
    assert summary_box is not None and decide_box is not None and summary_box["y"] < decide_box["y"]
    assert page.evaluate(OUTSIDE, PHONE_VIEWPORT["width"]) == 0
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    settle(page)
