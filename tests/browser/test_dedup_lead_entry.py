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
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

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


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_each_match_shows_once_after_create_finds_duplicates(
    new_context, live_server, console_errors, language, locale
):
    """Issue 12: the lead form showed the same match twice. Create checks the lead against leads,
    customers and contacts and answers with its warning (with "Create anyway" and "Link"); the
    form comes back filled in, and the live panel asked again on load for the same values, so the
    rep's lead was listed in both. The warning alone answers now."""
    title, _by_company, _by_phone = TEXTS[language]
    warned = {"zh-hans": "这条线索可能已经存在。", "en": "This lead may already exist."}[language]
    with as_system():
        rep = User.objects.create_user("rep", password=PASSWORD, name="陈静", language=language)
        mine = Lead.objects.create(name="王磊", company="星河科技有限公司", phone="+8613800138000", owner=rep)
    give_role(rep, Lead, "own", ["view", "add", "change"], name="rep")
    page = new_context(locale=locale).new_page()
    login(page, live_server, "rep")
    page.goto(live_server.url + reverse("customers:lead_add"))
    form = page.locator("#lead-form")
    form.locator("input[name=name]").fill("王磊")
    form.locator("input[name=company]").fill("（上海）星河科技")
    form.locator("input[name=phone]").fill("138 0013 8000")
    links = form.locator(f"a[href='{mine.get_absolute_url()}']")
    expect(form.locator("#possible-duplicates")).to_contain_text(title)
    expect(links).to_have_count(1)  # while typing: the panel lists it once

    form.locator("button[type=submit].btn-primary").click()
    warning = page.locator("#lead-duplicate-warning")
    expect(warning).to_contain_text(warned)
    settle(page)  # whatever the page loads after itself (a panel asking on load) has arrived
    expect(links).to_have_count(1)
    expect(warning.locator(f"a[href='{mine.get_absolute_url()}']")).to_have_count(1)
    expect(page.locator(".dedup-entry-hit, .dedup-entry-banner")).to_have_count(0)
    page.screenshot(path=f"/tmp/dedup-lead-create-once-{language}.png", full_page=True)  # noqa: S108
    assert Lead.objects.filter(name="王磊").count() == 1  # not created: the warning asks first
    console_errors[:] = [e for e in console_errors if "status of 422" not in e]  # the 422 is deliberate
