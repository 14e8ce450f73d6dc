"""The owner picker in a real Chromium: a manager finds 刘洋 by typing ``liuyang`` and chooses
with the keyboard (zh-hans and en); a rep on a 375 px phone is offered only themself. Strict CSP:
no console errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "picker-test-password"
PLACEHOLDER = {
    "zh-hans": "输入姓名、拼音、首字母或电话号码",
    "en": "Type a name, pinyin, initials or phone digits",
}
SAVED = {"zh-hans": "已保存", "en": "Saved"}


def sign_in(page, live_server, user, language: str) -> list[str]:
    with as_system():
        user.set_password(PASSWORD)
        user.language = language
        user.save()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    login = page.locator("form[action='/login/']")
    login.locator("input[name=username]").fill(user.username)
    login.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        login.locator("button[type=submit]").click()
    return errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_manager_chooses_an_owner_by_pinyin(live_server, page, team, language):
    with as_system():
        customer = Customer.objects.create(name="飞海科技", owner=team.rep1)
        team.rep1b.job_title = "销售代表"
        team.rep1b.save()
    errors = sign_in(page, live_server, team.manager1, language)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    owner = page.get_by_role("combobox", name=re.compile("负责人|Owner", re.I))
    expect(owner).to_have_value("王芳")
    expect(owner).to_have_attribute("placeholder", PLACEHOLDER[language])
    owner.fill("liuyang")
    listbox = page.get_by_role("listbox")
    option = listbox.get_by_role("option", name=re.compile("刘洋"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("华东销售一部 · 销售代表")
    expect(listbox.get_by_role("option")).to_have_count(1)  # 陈静 (another department) never offered
    owner.press("ArrowDown")
    expect(owner).to_have_attribute("aria-activedescendant", re.compile(r"_listbox_0$"))
    owner.press("Enter")
    expect(listbox).to_be_hidden()
    expect(owner).to_have_value("刘洋")
    page.locator("#customer-form button[type=submit]").click()
    expect(page.locator(".toast, .alert, .messages").filter(has_text=SAVED[language]).first).to_be_visible()
    customer.refresh_from_db()
    assert customer.owner_id == team.rep1b.pk
    assert errors == []


def test_a_rep_on_a_phone_is_offered_only_themself(live_server, page, team):
    page.set_viewport_size({"width": 375, "height": 740})
    with as_system():
        customer = Customer.objects.create(name="飞海科技", owner=team.rep1)
    errors = sign_in(page, live_server, team.rep1, "zh-hans")
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    owner = page.get_by_role("combobox", name=re.compile("负责人"))
    owner.fill("")
    owner.press("ArrowDown")  # opens the first page of the choices
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("王芳")
    box = listbox.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    owner.fill("liuyang")  # a colleague the rep may not give customers to
    expect(listbox.locator(".picker-empty")).to_be_visible()
    owner.press("Escape")
    expect(listbox).to_be_hidden()
    expect(owner).to_have_value("王芳")  # Escape restores the choice
    page.screenshot(path="var/screenshots/picker-375-zh.png", full_page=True)
    assert not User.objects.filter(pk=team.rep2.pk, is_active=False).exists()
    assert errors == []
