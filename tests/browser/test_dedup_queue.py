"""An administrator opens Settings → Duplicates on a phone (375 px), reads why two customers look
alike and dismisses the pair as not a duplicate — in Chinese and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.dedup.models import DismissedPair, DuplicateCandidate
from guanxi.dedup.services.scan import scan_entity
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "language", "reason", "dismiss", "done"),
    [
        (LOCALE_ZH, "zh-hans", "相同电话 138 0013 8000", "不是重复", "已将 1 对记录标记为不重复。"),
        (LOCALE_EN, "en", "same phone 138 0013 8000", "Not duplicates", "1 pair marked as not a duplicate."),
    ],
)
def test_dismiss_a_pair_on_a_phone(
    new_context, live_server, make_user, locale, language, reason, dismiss, done
):
    make_user("boss", is_superuser=True, is_staff=True, language=language)
    with as_system():
        first = Customer.objects.create(name="星河科技有限公司", phone="+8613800138000")
        Customer.objects.create(name="（上海）星河科技股份有限公司", phone="+8613800138000")
        Customer.objects.create(name="华信网络有限公司", email="a@huaxin.cn")
        Customer.objects.create(name="華信網絡", email="a@huaxin.cn")
    scan_entity("customers.customer")
    assert DuplicateCandidate.objects.count() == 2
    context = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server, "boss")

    page.goto(f"{live_server.url}/settings/duplicates/")
    rows = page.locator("#dedup-candidates tbody tr")
    assert rows.count() == 2
    row = rows.filter(has_text="星河科技有限公司")
    assert reason in row.inner_text()
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    # each pair is a card: its score and its Merge action are on screen, not beside it off-screen
    expect(row.get_by_test_id("dedup-merge")).to_be_in_viewport()
    expect(row.locator("td[data-label]")).to_be_in_viewport()
    page.screenshot(path=f"/tmp/dedup-queue-{language}.png", full_page=True)  # noqa: S108

    row.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name=dismiss).click()
    settle(page)
    assert page.locator(".messages .alert-success").inner_text() == done
    assert rows.count() == 1 and rows.filter(has_text="星河科技有限公司").count() == 0
    pair = DismissedPair.objects.get()
    assert pair.left_id == first.pk
