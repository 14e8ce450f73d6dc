"""Global search from the top bar: Ctrl+K, pinyin initials, the dropdown, then the results page."""

from __future__ import annotations

import pytest

from guanxi.core.models import Tag
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ctrl_k_and_pinyin_initials(page, live_server, admin_user):
    with as_system():
        tag = Tag.objects.create(name="重点客户", slug="zhong-dian-ke-hu", color="red")
        Tag.objects.create(name="渠道伙伴", slug="qu-dao-huo-ban", color="green")
    login(page, live_server, "admin")

    box = page.locator("#global-search")
    page.locator("h1.greeting").click()  # focus somewhere else first
    assert not box.evaluate("el => el === document.activeElement")
    page.keyboard.press("Control+k")
    assert box.evaluate("el => el === document.activeElement")

    page.keyboard.type("zdkh")
    panel = page.locator("#search-panel")
    hit = panel.locator(f"a.search-hit[href='/tags/{tag.pk}/']")
    hit.wait_for()
    assert panel.is_visible()
    assert hit.locator(".search-hit-title").inner_text() == "重点客户"
    assert panel.locator("a.search-hit").count() == 1  # 渠道伙伴 does not match

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/search/?q=zdkh"
    results = page.locator("ul.result-list a.search-hit")
    assert results.count() == 1
    assert results.first.get_attribute("href") == f"/tags/{tag.pk}/"
    assert page.locator("#search-page-q").input_value() == "zdkh"

    with page.expect_navigation():
        results.first.click()
    assert page.locator("h1.page-title").inner_text() == "重点客户"
