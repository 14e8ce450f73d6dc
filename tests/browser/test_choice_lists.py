"""An administrator adds the customer level "S" on Settings → Choice lists, sets it on a customer
and finds the customer with the list's level filter — in Chinese and in English, and the settings
page fits a phone."""

from __future__ import annotations

import pytest

from guanxi.core.models import ChoiceOption
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, overflow_width, settle
from tests.browser.test_tag_list import wait_for_results_swap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZH, EN = "S 级战略客户", "S – strategic"


@pytest.mark.parametrize(
    ("locale", "language", "label", "add_button", "saved"),
    [(LOCALE_ZH, "zh-hans", ZH, "添加", "选项已添加。"), (LOCALE_EN, "en", EN, "Add", "Option added.")],
)
def test_admin_adds_level_s_and_filters_the_customer_list_by_it(
    new_context, live_server, make_user, locale, language, label, add_button, saved
):
    make_user("boss", is_superuser=True, is_staff=True, language=language)
    with as_system():
        customer = Customer.objects.create(name="星河科技有限公司", level="A")
        Customer.objects.create(name="银河贸易有限公司", level="B")
    page = new_context(locale=locale).new_page()
    login(page, live_server, "boss")

    page.goto(f"{live_server.url}/settings/choices/")
    with page.expect_navigation():
        page.locator("#choice-lists a[href$='customers.customer.level/']").click()
    form = page.locator("#choice-add-form")
    form.locator("input[name=value]").fill("S")
    form.locator("input[name=label_zh]").fill(ZH)
    form.locator("input[name=label_en]").fill(EN)
    with page.expect_navigation():
        form.get_by_role("button", name=add_button).click()
    settle(page)
    assert page.locator(".messages .alert-success").inner_text() == saved
    assert page.locator("#option-S input[name=label_zh]").input_value() == ZH
    assert ChoiceOption.objects.get(list_name="customers.customer.level", value="S").label_en == EN

    # Set it on a customer through the edit form.
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    page.locator("select[name=level]").select_option("S")
    with page.expect_navigation():
        page.locator("#customer-form button[type=submit]").click()
    settle(page)
    customer.refresh_from_db()
    assert customer.level == "S"

    # The list's level filter offers it under its label and finds the customer.
    page.goto(f"{live_server.url}/customers/")
    page.locator("details.filter-toggle > summary").click()
    chip = page.locator("#filters input[name=level][value=S]")
    assert label in page.locator("#filters").inner_text()
    wait_for_results_swap(page, lambda: chip.check())
    rows = page.locator("#list-results tbody tr")
    assert rows.count() == 1
    assert "星河科技有限公司" in rows.first.inner_text() and label in rows.first.inner_text()
    settle(page)


def test_choice_list_page_fits_a_phone(phone, live_server, admin_user):
    login(phone, live_server, "admin")
    phone.goto(f"{live_server.url}/settings/choices/customers.customer.stage/")
    assert phone.locator("#choice-options li").count() == 4
    assert overflow_width(phone) <= 375
    settle(phone)
