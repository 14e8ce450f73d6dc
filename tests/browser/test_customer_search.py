"""Pinyin initials find a customer and a contact in the top bar's search and in the customer list."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_pinyin_initials_in_global_search_and_list(new_context, live_server, language, locale):
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        rep = User.objects.create_user(
            "rep1", password=PASSWORD, name="王芳", department=east1, language=language
        )
        customer = Customer.objects.create(name="张三贸易有限公司", phone="+8613912348000", owner=rep)
        contact = Contact.objects.create(name="张珊", owner=rep)
        Customer.objects.create(name="李四科技有限公司", owner=rep)
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep")
    give_role(rep, Contact, "own", ["view"], name="rep-contact")
    page = new_context(locale=locale).new_page()
    login(page, live_server, "rep1")

    page.locator("#global-search").fill("zs")
    panel = page.locator("#search-panel")
    panel.locator(f"a.search-hit[href='/customers/{customer.pk}/']").wait_for()
    panel.locator(f"a.search-hit[href='/contacts/{contact.pk}/']").wait_for()
    assert "李四科技有限公司" not in panel.inner_text()

    page.goto(f"{live_server.url}/customers/?q=zsmy")
    rows = page.locator("#customer-bulk tbody tr")
    assert rows.count() == 1 and "张三贸易有限公司" in rows.first.inner_text()
    page.goto(f"{live_server.url}/customers/?q=8000")
    assert page.locator("#customer-bulk tbody tr").count() == 1


@pytest.mark.parametrize(("language", "locale"), [("zh-hans", LOCALE_ZH), ("en", LOCALE_EN)])
def test_a_fragment_in_the_middle_of_a_name_finds_the_customer(new_context, live_server, language, locale):
    """华信 and 网络 stand inside 北京华信网络科技有限公司, not at its start: the top bar's search
    and the customer list's search box both find it, and not the other company."""
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        rep = User.objects.create_user(
            "rep1", password=PASSWORD, name="王芳", department=east1, language=language
        )
        customer = Customer.objects.create(name="北京华信网络科技有限公司", owner=rep)
        Customer.objects.create(name="上海星河贸易有限公司", owner=rep)
    give_role(rep, Customer, "own", ["view", "add", "change"], name="rep")
    page = new_context(locale=locale).new_page()
    login(page, live_server, "rep1")

    page.locator("#global-search").fill("华信")
    panel = page.locator("#search-panel")
    panel.locator(f"a.search-hit[href='/customers/{customer.pk}/']").wait_for()
    assert "上海星河贸易有限公司" not in panel.inner_text()

    page.goto(f"{live_server.url}/customers/?q=网络")
    rows = page.locator("#customer-bulk tbody tr")
    assert rows.count() == 1 and "北京华信网络科技有限公司" in rows.first.inner_text()
    page.goto(f"{live_server.url}/customers/?q=科技有限")
    assert page.locator("#customer-bulk tbody tr").count() == 1
