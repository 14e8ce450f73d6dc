"""A user deletes a customer, finds it in Settings → Recycle bin and restores it with its contact —
in Chinese and in English."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system
from guanxi.recyclebin.models import RecycleBinEntry
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "language", "delete", "menu", "restore", "restored"),
    [
        (LOCALE_ZH, "zh-hans", "删除", "回收站", "恢复", "已恢复客户“星河科技有限公司”。"),
        (LOCALE_EN, "en", "Delete", "Recycle bin", "Restore", "Restored customer “星河科技有限公司”."),
    ],
)
def test_delete_a_customer_find_it_in_the_bin_and_restore_it(
    new_context, live_server, make_user, locale, language, delete, menu, restore, restored
):
    make_user("boss", is_superuser=True, is_staff=True, language=language)
    with as_system():
        customer = Customer.objects.create(name="星河科技有限公司")
        contact = Contact.objects.create(name="王芳")
        CustomerContact.objects.create(customer=customer, contact=contact)
    page = new_context(locale=locale).new_page()
    login(page, live_server, "boss")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    with page.expect_navigation():
        page.locator(".page-header").get_by_role("link", name=delete).click()
    with page.expect_navigation():
        page.locator("form.card").get_by_role("button", name=delete).click()
    settle(page)
    assert not Customer.objects.filter(pk=customer.pk).exists()

    with page.expect_navigation():
        page.locator("#sidebar").get_by_role("link", name=menu).click()
    row = page.locator("#recyclebin-list tbody tr").filter(has_text="星河科技有限公司")
    assert row.count() == 1
    with page.expect_navigation():
        row.get_by_role("button", name=restore).click()
    settle(page)
    assert page.locator(".messages .alert-success").inner_text() == restored
    assert page.locator("#recyclebin-list").count() == 0  # the bin is empty again
    assert not RecycleBinEntry.objects.exists()
    assert CustomerContact.objects.filter(customer_id=customer.pk, contact=contact).exists()

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert "星河科技有限公司" in page.locator("h1").inner_text()
    settle(page)
