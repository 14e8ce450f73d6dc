"""Orders with their lines through the import wizard, in Chinese: choose 订单 on the import page,
upload one row per line, match, check (a bad line fails its whole order), import, summary."""

from __future__ import annotations

import decimal

import pytest
from playwright.sync_api import expect

from guanxi.contracts.models import Order
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.products.models import Product
from tests.browser.conftest import login, overflow_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDERS = (
    "订单编号,客户名称,订单日期,产品编码,数量,单价,折扣\n"
    "SO-1001,飞海科技,2026-11-02,P-001,2,12800,10\n"
    "SO-1001,,,P-002,3,,\n"
    "SO-1002,星河网络,2026-11-05,P-002,1,3400,0\n"
    "SO-1003,星河网络,2026-11-06,P-001,-1,100,\n"
    "SO-1003,星河网络,2026-11-06,P-002,1,100,\n"
)


def test_orders_with_their_lines_in_chinese(page, live_server, admin_user, tmp_path):
    with as_system():
        Customer.objects.create(name="飞海科技")
        Customer.objects.create(name="星河网络")
        Product.objects.create(sku="P-001", name="服务器", list_price_amount=decimal.Decimal("13000"))
        Product.objects.create(sku="P-002", name="交换机", list_price_amount=decimal.Decimal("3500"))
    path = tmp_path / "订单.csv"
    path.write_text(ORDERS, encoding="utf-8-sig")
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/imports/")
    entry = page.locator('[data-entity="contracts.order"]')
    expect(entry.get_by_role("link", name="Excel 中文")).to_be_visible()
    entry.get_by_role("link", name="订单").click()
    page.locator("#import-file").set_input_files(str(path))
    page.locator("#order-import button[type=submit]").click()
    page.wait_for_selector("#order-import-map")
    # the titles a Chinese user writes name the order's fields and its lines' fields
    assert [page.locator(f"#map-{i}").input_value() for i in range(7)] == [
        "number",
        "customer",
        "order_date",
        "line_product",
        "line_quantity",
        "line_unit_price",
        "line_discount_percent",
    ]
    page.get_by_role("button", name="检查所有行").click()
    page.wait_for_selector('#import-batch[data-import-status="validated"]')
    expect(page.locator("[data-count=valid]")).to_have_text("3")
    expect(page.locator("[data-count=failed]")).to_have_text("2")
    # the bad line fails its whole order, and says which row is wrong
    expect(page.get_by_text("SO-1003 未导入：第 5 行有错误。").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "orders-checked.png"), full_page=True)
    page.get_by_role("button", name="导入 3 条正确的行").click()
    page.wait_for_selector('#import-batch[data-import-status="completed"]')
    expect(page.locator("[data-count=created]")).to_have_text("2")
    expect(page.get_by_role("link", name="SO-1001")).to_be_visible()
    page.screenshot(path=str(tmp_path / "orders-summary.png"), full_page=True)
    # the summary still says why the rows of SO-1003 were left out
    expect(page.locator(".import-errors").get_by_text("数量不能为负数", exact=False)).to_be_visible()
    first = Order.objects.get(number="SO-1001")
    assert (first.lines.count(), first.total_amount) == (2, decimal.Decimal("33540.00"))
    assert not Order.objects.filter(number="SO-1003").exists()


def test_the_import_page_on_a_phone(phone, live_server, admin_user, tmp_path):
    login(phone, live_server, "admin")
    phone.goto(f"{live_server.url}/imports/")
    expect(phone.locator('[data-entity="contracts.order"]')).to_be_visible()
    assert overflow_width(phone) <= 375
    phone.screenshot(path=str(tmp_path / "import-start-375.png"), full_page=True)
