"""A rep opens a price list on a phone and reads its prices on the page (it showed only the list's
own fields and a timeline of "Created" entries) — in Chinese and in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.framework.testing.fixtures import as_system
from guanxi.products.models import PriceList, PriceListItem, Product
from guanxi.users.models import Role
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    LOCALE_ZH: {
        "title": "价格",
        "price": "价格",
        "first": "CRM-00 关系云 0",
        "money": "¥1,000.00",
        "all": "查看全部 21 个价格",
    },
    LOCALE_EN: {
        "title": "Prices",
        "price": "Price",
        "first": "CRM-00 Cloud 0",
        "money": "CNY 1,000.00",
        "all": "All 21 prices",
    },
}


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_a_rep_reads_the_prices_of_a_price_list_on_a_phone(new_context, live_server, make_user, locale):
    rep = make_user("wangfang", name="王芳")
    with as_system():
        rep.roles.add(Role.objects.get(code="sales_rep"))  # the shipped role: prices are reference data
        price_list = PriceList.objects.create(name="A级客户价", currency="CNY", customer_level="A")
        for n in range(21):
            product = Product.objects.create(
                sku=f"CRM-{n:02d}",
                name=f"关系云 {n}",
                name_en=f"Cloud {n}",
                list_price_amount=Decimal("1200"),
            )
            PriceListItem.objects.create(
                price_list=price_list, product=product, price_amount=Decimal(1000 + n)
            )
    text = TEXT[locale]
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/price-lists/{price_list.pk}/")
    card = page.locator("#pricelist-items")
    expect(card.locator(".card-title")).to_have_text(f"{text['title']} 21")
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first.locator("td.cell-title")).to_have_text(text["first"])
    expect(rows.first.locator(f'td[data-label="{text["price"]}"]')).to_have_text(text["money"])
    more = card.get_by_role("link", name=text["all"])
    assert more.get_attribute("href") == f"/price-list-items/?price_list={price_list.pk}"
    expect(card.locator('a[href^="/price-list-items/add/"]')).to_have_count(0)  # a rep adds no prices
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"/tmp/price-list-phone-{locale}.png", full_page=True)  # noqa: S108
    settle(page)
