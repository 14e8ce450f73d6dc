"""Big lists and search on a phone: a capped count ("5+" with the cap lowered to 5), paging past
the counted rows with htmx, and search ranking exact initials before longer keys and substrings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Contact, Customer
from guanxi.framework.paginators import CappedPaginator
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "zh-hans": {
        "count": "5+ 条记录",
        "page1": "第 1 页",
        "page2": "第 2 页",
        "page3": "第 3 页",
        "next": "下一页",
    },
    "en": {"count": "5+ records", "page1": "Page 1", "page2": "Page 2", "page3": "Page 3", "next": "Next"},
}


@pytest.fixture
def customers(db, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    with as_system():
        Customer.objects.bulk_create([Customer(name=f"星河{i:02d}科技有限公司") for i in range(60)])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_capped_count_and_paging_past_it_on_a_phone(phone, live_server, make_user, customers, language):
    text = TEXTS[language]
    make_user("boss", is_superuser=True, language=language)
    login(phone, live_server, "boss")
    phone.goto(f"{live_server.url}/customers/?per_page=25")
    results = phone.locator("#list-results")
    assert text["count"] in results.locator(".card-header").inner_text()
    pager = phone.locator("nav.pagination")
    assert pager.locator("span").inner_text() == text["page1"]
    assert overflow_width(phone) <= 375
    for page_text in (text["page2"], text["page3"]):  # past the 5 counted rows, by htmx links
        with phone.expect_response(lambda r: "page=" in r.url):
            pager.get_by_text(text["next"]).click()
        # The response arrives before htmx swaps it in: wait for the new pager, not a fixed moment.
        expect(pager.locator("span")).to_have_text(page_text)
        settle(phone)
    assert results.locator("tbody tr").count() == 10  # rows 51-60
    assert pager.get_by_text(text["next"]).count() == 0
    assert "page=3" in phone.url


def test_search_ranks_exact_initials_first(phone, live_server, admin_user):
    with as_system():
        for name in ("一张三", "张三丰", "张三"):
            Contact.objects.create(name=name)
    login(phone, live_server, "admin")
    phone.goto(f"{live_server.url}/search/?q=zs")
    titles = phone.locator("ul.result-list .search-hit-title").all_inner_texts()
    # exact initials first, then longer ones; "zs" inside 一张三's "yzs" is no hit (typed from the start)
    assert titles == ["张三", "张三丰"]
    phone.goto(f"{live_server.url}/search/?q=张三")
    titles = phone.locator("ul.result-list .search-hit-title").all_inner_texts()
    assert titles == ["张三", "张三丰", "一张三"]
    assert overflow_width(phone) <= 375
