"""A sales director merges two customers: from the list's selection in English at desktop width, and
from the merge page on a 375 px phone (Chinese and English: per field the candidate values stacked,
nothing scrolls sideways); the kept record's timeline tells the story."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.activities.models import FollowUp
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, PHONE_VIEWPORT, login, overflow_width, settle

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


@pytest.mark.parametrize(
    ("language", "locale", "texts"),
    [
        ("zh-hans", "zh-CN", {"name": "名称", "kept": "保留", "no": "编号"}),
        ("en", LOCALE_EN, {"name": "Name", "kept": "Kept", "no": "no."}),
    ],
)
def test_on_a_phone_each_field_stacks_its_values(new_context, live_server, language, locale, texts):
    """At 375 px no column sits off-screen: each record's value of a field is under the other with
    its record's name and radio; choosing one frames it, and the merge keeps it."""
    keep, dup = setup_pair(language)
    context = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    phone = context.new_page()
    login(phone, live_server, "director1")
    phone.goto(f"{live_server.url}/customers/merge/?ids={keep.pk}&ids={dup.pk}")
    expect(phone.locator("#merge-kept")).to_have_text(texts["kept"])
    row = phone.locator("#merge-fields tr[data-field=name]")
    expect(row.locator("th")).to_contain_text(texts["name"])
    expect(phone.locator("#merge-fields th.merge-field-head")).to_be_hidden()
    kept_value, dup_value = (
        row.locator(f"td[data-record='{keep.pk}']"),
        row.locator(f"td[data-record='{dup.pk}']"),
    )
    # stacked, both inside the screen: the second under the first, not beside it
    first, second = kept_value.bounding_box(), dup_value.bounding_box()
    assert first and second
    assert second["y"] >= first["y"] + first["height"] - 1
    for box in (first, second):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert f"{texts['no']} {keep.pk}" in (kept_value.get_attribute("data-label") or "")
    assert overflow_width(phone) <= 375
    preview = phone.locator("#merge-preview .table-wrap")  # what moves: read without scrolling either
    assert preview.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth")
    # the newer record's name is chosen by default and framed; choose the kept one's instead
    radio = kept_value.locator("input[type=radio]")
    expect(dup_value.locator("input[type=radio]")).to_be_checked()
    unframed = kept_value.evaluate("td => getComputedStyle(td).backgroundColor")
    kept_value.locator("label").click()
    expect(radio).to_be_checked()
    assert kept_value.evaluate("td => getComputedStyle(td).backgroundColor") != unframed
    # a field equal on both records shows its value once
    expect(phone.locator("#merge-fields tr[data-field=owner] td:visible")).to_have_count(1)
    phone.screenshot(path=f"/tmp/merge-phone-stacked-{language}.png", full_page=True)  # noqa: S108
    with phone.expect_navigation():
        phone.locator("#merge-confirm").click()
    assert phone.url.endswith(f"/customers/{keep.pk}/")
    settle(phone)
    kept = Customer.objects.get(pk=keep.pk)
    assert (kept.name, kept.level) == ("苏州明远精密机械有限公司", "A")
    assert not Customer.objects.filter(pk=dup.pk).exists()
