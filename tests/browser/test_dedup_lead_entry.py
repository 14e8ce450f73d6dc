"""A rep enters a lead and, as the company and the phone are typed, the form shows the rep's
existing leads that look like it (the rules leads declare: ``customers.leads.entities``), in
Chinese and in English, on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.customers.models import Lead
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "zh-hans": ("疑似重复", "公司相似度 1.00", "相同电话 138 0013 8000"),
    "en": ("Possible duplicates", "company similarity 1.00", "same phone 138 0013 8000"),
}


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_possible_duplicate_leads_while_typing(new_context, live_server, language, locale):
    title, by_company, by_phone = TEXTS[language]
    with as_system():
        rep = User.objects.create_user("rep", password=PASSWORD, name="陈静", language=language)
        mine = Lead.objects.create(name="王磊", company="星河科技有限公司", phone="+8613800138000", owner=rep)
        Lead.objects.create(name="李娜", company="星河科技股份有限公司")  # unassigned: not the rep's
    give_role(rep, Lead, "own", ["view", "add", "change"], name="rep")
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(page, live_server, "rep")
    page.goto(live_server.url + reverse("customers:lead_add"))
    form = page.locator("#lead-form")
    panel = form.locator("#possible-duplicates")
    expect(panel).to_be_hidden()  # nothing typed: nothing to show

    form.locator("input[name=company]").fill("（上海）星河科技")
    hit = panel.locator(f".dedup-entry-hit[data-record='{mine.pk}']")
    expect(hit).to_contain_text(by_company)
    expect(panel).to_contain_text(title)
    expect(panel.locator(".dedup-entry-hit")).to_have_count(1)
    expect(hit.get_by_role("link").first).to_have_attribute("href", mine.get_absolute_url())

    form.locator("input[name=phone]").fill("138 0013 8000")  # typed as people type it
    expect(hit).to_contain_text(by_phone)
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    panel.scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/dedup-lead-entry-{language}.png", full_page=True)  # noqa: S108
