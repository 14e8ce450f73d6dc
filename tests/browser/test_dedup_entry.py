"""A rep enters a customer on a phone (375 px) and, as the name and the phone are typed, the form
shows the rep's existing customers that look like it — score, reasons, links — without leaving
the page; saving still works (advice, not a block). In Chinese and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "zh-hans": ("疑似重复", "名称相似度 1.00", "相同电话 138 0013 8000", "创建"),
    "en": ("Possible duplicates", "name similarity 1.00", "same phone 138 0013 8000", "Create"),
}


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_possible_duplicates_while_typing(new_context, live_server, language, locale):
    title, by_name, by_phone, create = TEXTS[language]
    with as_system():
        rep = User.objects.create_user("rep", password=PASSWORD, name="陈静", language=language)
        mine = Customer.objects.create(name="星河科技有限公司", phone="+8613800138000", owner=rep)
        Customer.objects.create(name="星河科技股份有限公司", owner=None)  # not the rep's: never shown
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep")
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/add/")
    form = page.locator("#customer-form")
    panel = form.locator("#possible-duplicates")
    expect(panel).to_be_hidden()  # nothing typed: nothing to show, no gap in the form

    form.locator("input[name=name]").fill("（上海）星河科技")
    hit = panel.locator(f".dedup-entry-hit[data-record='{mine.pk}']")
    expect(hit).to_contain_text(by_name)
    expect(panel).to_contain_text(title)
    expect(panel.locator(".dedup-entry-hit")).to_have_count(1)
    expect(hit.get_by_role("link", name="星河科技有限公司")).to_have_attribute(
        "href", mine.get_absolute_url()
    )

    form.locator("input[name=phone]").fill("138 0013 8000")  # typed as people type it
    expect(hit).to_contain_text(by_phone)
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=f"/tmp/dedup-entry-panel-{language}.png")  # noqa: S108
    page.screenshot(path=f"/tmp/dedup-entry-{language}.png", full_page=True)  # noqa: S108

    # advice, not a block: the customer is created (both are the rep's own: no 撞单 either)
    with page.expect_navigation():
        form.get_by_role("button", name=create).click()
    settle(page)
    assert Customer.objects.filter(name="（上海）星河科技", owner=rep).exists()


BANNER = {"zh-hans": ("疑似重复 1 条", "查看"), "en": ("1 possible duplicate", "View")}


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_a_duplicate_phone_typed_low_on_the_form_shows_where_the_user_is(
    new_context, live_server, language, locale
):
    """At 375 px the panel follows the name, far above the phone field: typing a duplicate phone
    brings a bar up at the bottom of the screen, in view, that jumps to the panel (and steps aside
    once the panel is in view). On a desktop
    screen the bar stays hidden and the panel keeps its place in the form."""
    count, view = BANNER[language]
    with as_system():
        rep = User.objects.create_user("rep", password=PASSWORD, name="陈静", language=language)
        mine = Customer.objects.create(name="星河科技有限公司", phone="+8613800138000", owner=rep)
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep")
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/add/")
    form = page.locator("#customer-form")
    panel = form.locator("#possible-duplicates")
    banner = panel.locator(".dedup-entry-banner")

    form.locator("input[name=name]").fill("东方贸易")  # nothing like it: no panel yet
    phone = form.locator("input[name=phone]")
    phone.tap()  # as on a phone: the field comes into view, then the digits are typed
    phone.press_sequentially("138 0013 8000")
    expect(panel.locator(f".dedup-entry-hit[data-record='{mine.pk}']")).to_be_attached()
    expect(phone).to_be_in_viewport()
    expect(panel.locator(".dedup-entry")).not_to_be_in_viewport()  # the panel itself: far above
    expect(banner).to_be_in_viewport()
    expect(banner).to_contain_text(count)
    expect(banner).to_contain_text("星河科技有限公司")
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"/tmp/dedup-banner-{language}.png")  # noqa: S108

    banner.get_by_text(view).click()  # a link to the panel: the page scrolls up to it
    expect(panel.locator(".dedup-entry")).to_be_in_viewport()
    expect(panel.get_by_role("link", name="星河科技有限公司", exact=True)).to_be_in_viewport()
    expect(banner).to_be_hidden()  # the panel is in view: the bar steps aside, covering nothing
    page.screenshot(path=f"/tmp/dedup-banner-panel-{language}.png")  # noqa: S108

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(banner).to_be_hidden()
    expect(panel.locator(".dedup-entry")).to_be_visible()
    page.screenshot(path=f"/tmp/dedup-banner-desktop-{language}.png", full_page=True)  # noqa: S108
    settle(page)
