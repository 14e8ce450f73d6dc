"""A sales director merges two customers: from the list's selection in English at desktop width, and
from the merge page in Chinese on a 375 px phone; the kept record's timeline tells the story."""

from __future__ import annotations

import pytest

from guanxi.activities.models import FollowUp
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def setup_pair(language: str):
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        director = User.objects.create_user(
            "director1", password=PASSWORD, name="赵磊", department=east1, language=language
        )
        rep = User.objects.create_user("rep1", password=PASSWORD, name="王芳", department=east1)
        keep = Customer.objects.create(name="苏州明远精密机械有限公司", owner=rep, level="B")
        dup = Customer.objects.create(name="明远精密", owner=rep, phone="+8613912345678", level="A")
        for n in range(2):
            FollowUp.objects.create(target=dup, customer=dup, content=f"拜访{n}")
    give_role(director, Customer, "department_tree", ["view", "change", "delete"], name="director")
    return keep, dup


def test_director_merges_from_the_list_in_english(new_context, live_server):
    keep, dup = setup_pair("en")
    page = new_context(locale=LOCALE_EN).new_page()
    login(page, live_server, "director1")
    page.goto(f"{live_server.url}/customers/")
    for customer in (keep, dup):
        page.locator(f"input[name=pk][value='{customer.pk}']").check()
    with page.expect_navigation():
        page.locator("#customer-bulk button", has_text="Merge").click()
    assert page.locator("h1.page-title").inner_text() == "Merge 2 records"
    fields = page.locator("#merge-fields")
    # the newer record's name is chosen by default; keep the older, longer one
    assert fields.locator(f"input[name=field_name][value='{dup.pk}']").is_checked()
    fields.locator(f"input[name=field_name][value='{keep.pk}']").check()
    assert "Follow-ups" in page.locator("#merge-preview").inner_text()
    page.screenshot(path="/tmp/merge-en.png", full_page=True)  # noqa: S108  (a path the reviewer opens)
    with page.expect_navigation():
        page.locator("#merge-confirm").click()
    assert page.url.endswith(f"/customers/{keep.pk}/")
    toast = "Merged 1 record into “苏州明远精密机械有限公司”. Moved: follow-ups: 2."
    assert toast in page.locator("#toasts, .messages, body").first.inner_text()
    settle(page)
    kept = Customer.objects.get(pk=keep.pk)
    assert (kept.name, kept.level, kept.phone) == ("苏州明远精密机械有限公司", "A", "+8613912345678")
    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert FollowUp.objects.filter(customer=keep).count() == 2

    entry = page.locator(".timeline-merge").first
    entry.wait_for()
    assert f"Merged from 明远精密 (no. {dup.pk})" in entry.inner_text()
    assert "Moved: follow-ups: 2" in entry.inner_text()
    page.screenshot(path="/tmp/merge-en-detail.png", full_page=True)  # noqa: S108


def test_director_merges_on_a_phone_in_chinese(phone, live_server):
    keep, dup = setup_pair("zh-hans")
    login(phone, live_server, "director1")
    phone.goto(f"{live_server.url}/customers/merge/?ids={keep.pk}&ids={dup.pk}")
    assert phone.locator("h1.page-title").inner_text() == "合并 2 条记录"
    assert "将转移到“苏州明远精密机械有限公司”的内容" in phone.locator("#merge-preview").inner_text()
    phone.screenshot(path="/tmp/merge-zh-phone-compare.png", full_page=True)  # noqa: S108
    # keep the other record instead: the page reloads with the preview for it
    with phone.expect_navigation():
        phone.locator(f"[data-keep='{dup.pk}']").click()
    assert "将转移到“明远精密”的内容" in phone.locator("#merge-preview").inner_text()
    assert "其他记录没有关联记录。" in phone.locator("#merge-preview").inner_text()
    assert overflow_width(phone) <= 375
    phone.screenshot(path="/tmp/merge-zh-phone.png", full_page=True)  # noqa: S108  (a path the reviewer opens)
    with phone.expect_navigation():
        phone.locator("#merge-confirm").click()
    assert phone.url.endswith(f"/customers/{dup.pk}/")
    assert "已将 1 条记录合并到“明远精密”" in phone.locator("#toasts, .messages, body").first.inner_text()
    settle(phone)
    assert not Customer.objects.filter(pk=keep.pk).exists()
    assert Customer.objects.get(pk=dup.pk).level == "A"
    phone.screenshot(path="/tmp/merge-zh-phone-detail.png", full_page=True)  # noqa: S108
