"""The import wizard as a person uses it: a GBK CSV from Chinese Excel, check, import, error file, undo."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from tests.browser.conftest import LOCALE_EN, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = (
    "客户名称,手机,级别\n"
    "宁波海曙贸易有限公司,13812345678,A类\n"
    "苏州工业园区精工机械,+8615012345678,B\n"
    "坏号码公司,12345,A\n"
)


def gbk_file(tmp_path):
    path = tmp_path / "客户.csv"
    path.write_bytes(ROWS.encode("gbk"))
    return path


def status(page, value: str) -> None:
    page.wait_for_selector(f'#import-batch[data-import-status="{value}"]')


def run_wizard(page, tmp_path, *, check: str, good: str, undo: str) -> None:
    page.locator("#import-file").set_input_files(str(gbk_file(tmp_path)))
    page.locator("#customer-import button[type=submit]").click()
    page.wait_for_selector("#customer-import-map")
    # the Chinese titles of a GBK file were matched whatever the page's language
    assert [page.locator(f"#map-{i}").input_value() for i in range(3)] == ["name", "phone", "level"]
    page.locator("#import-value-map").fill("级别: A类 = A")
    page.get_by_role("button", name=check).click()
    status(page, "validated")
    assert page.locator("[data-count=valid]").inner_text() == "2"
    assert page.locator("[data-count=failed]").inner_text() == "1"
    with page.expect_download() as download:
        page.locator("#import-error-file").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "坏号码公司,12345,A" in text
    assert not Customer.objects.exists()
    page.get_by_role("button", name=good).click()
    status(page, "completed")
    assert page.locator("[data-count=created]").inner_text() == "2"
    assert Customer.objects.get(name="宁波海曙贸易有限公司").level == "A"
    page.get_by_role("button", name=undo).click()
    status(page, "undone")
    settle(page)
    assert not Customer.objects.exists()


def test_the_import_wizard_in_chinese(page, live_server, admin_user, tmp_path):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_selector("#customer-import")
    run_wizard(page, tmp_path, check="检查所有行", good="导入 2 条正确的行", undo="撤销本次导入")


def test_the_import_wizard_in_english_on_a_phone(new_context, live_server, admin_user, tmp_path):
    page = new_context(locale=LOCALE_EN, viewport={"width": 375, "height": 812}, is_mobile=True).new_page()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/customers/import/")
    page.locator("#import-file").set_input_files(str(gbk_file(tmp_path)))
    page.locator("#customer-import button[type=submit]").click()
    page.wait_for_selector("#customer-import-map")
    assert overflow_width(page) <= 375
    # Each column is a card whose field choice is wide enough to read what it matched (the
    # three-column table squeezed the selects to ~45 px: the matched fields could not be seen).
    widths = page.eval_on_selector_all(
        "#customer-import-map select[id^=map-]", "els => els.map((e) => e.getBoundingClientRect().width)"
    )
    assert len(widths) == 3 and min(widths) >= 200, widths
    assert page.locator("#map-0 option:checked").inner_text() == "Name *"
    page.screenshot(path=str(tmp_path / "import-map-375.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/import/")
    run_wizard(page, tmp_path, check="Check every row", good="Import 2 good rows", undo="Undo this import")
    page.screenshot(path=str(tmp_path / "import-summary-375.png"), full_page=True)
