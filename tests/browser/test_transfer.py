"""A sales manager selects customers on the list and transfers them to another rep with a reason."""

from __future__ import annotations

import pytest

from guanxi.core.models import Notification
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import PASSWORD, as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, login, pick, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_transfers_selected_customers(new_context, live_server):
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        manager = User.objects.create_user(
            "manager1", password=PASSWORD, name="张伟", department=east1, language="en"
        )
        leaving = User.objects.create_user(
            "rep1", password=PASSWORD, name="王芳", department=east1, manager=manager
        )
        taker = User.objects.create_user(
            "rep1b", password=PASSWORD, name="刘洋", department=east1, manager=manager
        )
        a = Customer.objects.create(name="苏州明远精密机械有限公司", owner=leaving)
        b = Customer.objects.create(name="南京云帆贸易有限公司", owner=leaving)
        c = Customer.objects.create(name="杭州留守有限公司", owner=leaving)
    give_role(manager, Customer, "department_tree", ["view", "change", "assign"], name="mgr")
    page = new_context(locale=LOCALE_EN).new_page()
    login(page, live_server, "manager1")
    page.goto(f"{live_server.url}/customers/")
    for customer in (a, b):
        page.locator(f"input[name=pk][value='{customer.pk}']").check()
    with page.expect_navigation():
        page.locator("#customer-bulk button", has_text="Transfer").click()
    assert page.locator("h1.page-title").inner_text() == "Transfer 2 customers"
    form = page.locator("#transfer-form")
    pick(form, "to_user", "liuyang", "刘洋")
    form.locator("input[name=reason]").fill("离职交接")
    page.screenshot(path="/tmp/customers360-transfer.png", full_page=True)  # noqa: S108  (a path the reviewer opens)
    with page.expect_navigation():
        form.locator("button[name=_apply]").click()
    assert "Transferred 2 customers to 刘洋." in page.locator("#toasts, .messages, body").first.inner_text()
    settle(page)
    owners = dict(Customer.objects.values_list("name", "owner__username"))
    assert owners == {a.name: "rep1b", b.name: "rep1b", c.name: "rep1"}
    assert Notification.objects.filter(recipient=taker).count() == 1

    page.goto(f"{live_server.url}/customers/{a.pk}/")
    page.locator(".timeline-transfer").first.wait_for()
    assert "Transferred from 王芳 to 刘洋: 离职交接" in page.locator(".timeline-transfer").first.inner_text()
    page.screenshot(path="/tmp/customers360-detail.png", full_page=True)  # noqa: S108  (a path the reviewer opens)


def test_the_360_page_fits_a_phone(phone, live_server):
    """The Contacts card (with its inline edit forms) and the Transfer action at 375 px."""
    from guanxi.customers.models import Contact, CustomerContact
    from tests.browser.conftest import overflow_width

    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        manager = User.objects.create_user("manager1", password=PASSWORD, name="张伟", department=east1)
        customer = Customer.objects.create(
            name="苏州明远精密机械有限公司", owner=manager, region_code="320506", phone="+8613912345678"
        )
        for n, name in enumerate(("李娜", "赵强")):
            contact = Contact.objects.create(name=name, owner=manager, phone=f"+861390000000{n}")
            CustomerContact.objects.create(
                customer=customer, contact=contact, role="finance", is_primary=n == 0
            )
    give_role(manager, Customer, "department_tree", ["view", "change", "assign"], name="mgr")
    give_role(manager, Contact, "department_tree", ["view", "add", "change"], name="mgr-contact")
    login(phone, live_server, "manager1")
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    phone.locator("#customer-contacts tr.contact-link").first.wait_for()
    settle(phone)
    assert phone.locator("#customer-transfer").is_visible()
    assert overflow_width(phone) <= 375
    phone.screenshot(path="/tmp/customers360-phone.png", full_page=True)  # noqa: S108  (a path the reviewer opens)
    phone.locator("#customer-contacts").screenshot(path="/tmp/customers360-phone-contacts.png")  # noqa: S108
