"""Importing customers from a file as a person does it: upload, check the columns, read the result."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from tests.browser.conftest import LOCALE_EN, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = "名称,电话,级别\n宁波海曙贸易有限公司,13812345678,A\n苏州工业园区精工机械,+8615012345678,B\n"
BAD = "名称,电话\n坏号码公司,12345\n"


def upload(page, tmp_path, text: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8-sig")
    page.locator("#import-file").set_input_files(str(path))
    page.locator("#customer-import button[type=submit]").click()
    page.wait_for_selector("#customer-import-map")


def test_import_customers_in_chinese_then_see_them_listed(page, live_server, admin_user, tmp_path):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_selector("#customer-import")
    upload(page, tmp_path, GOOD)
    # the headers were matched by their Chinese labels
    assert page.locator("#map-0").input_value() == "name"
    assert page.locator("#map-1").input_value() == "phone"
    assert page.locator("#map-2").input_value() == "level"
    page.get_by_role("button", name="导入").click()
    page.wait_for_selector("text=已导入 2 条记录。")
    page.screenshot(path=str(tmp_path / "import-zh.png"), full_page=True)
    page.get_by_role("link", name="返回列表").click()
    settle(page)
    assert page.locator("text=宁波海曙贸易有限公司").count() == 1
    assert Customer.objects.get(name="苏州工业园区精工机械").level == "B"


def test_a_bad_row_in_english_imports_nothing_and_says_why(new_context, live_server, admin_user, tmp_path):
    page = new_context(locale=LOCALE_EN).new_page()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/customers/import/")
    upload(page, tmp_path, BAD)
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector(".import-errors")
    text = page.locator(".import-errors").inner_text()
    assert "Row 2 · Phone: Enter a valid phone number." in text, text
    assert "Nothing was imported" in page.content()
    settle(page)
    assert not Customer.objects.exists()
