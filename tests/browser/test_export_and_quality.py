"""Exporting a filtered list to CSV, and the data-quality page's one-click lists, in a browser
(Chinese and English; the data-quality page at phone width too)."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+8618919616767"


@pytest.fixture
def customers(admin_user):
    with as_system():
        rows = [
            Customer.objects.create(name="飞海科技", level="A", phone=PHONE, owner=admin_user),
            Customer.objects.create(name="=HYPERLINK(1)", level="A", phone="", owner=admin_user),
            Customer.objects.create(name="云帆网络", level="B", phone="+8613800138000", owner=admin_user),
            Customer.objects.create(name="星河软件", level="B", owner=admin_user),
        ]
    # Old data, stored as it came (an import before the validators): two invalid phones.
    Customer.objects.filter(pk=rows[2].pk).update(phone="138-0013-800")
    Customer.objects.filter(pk=rows[3].pk).update(phone="电话待补")
    return rows


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_export_a_filtered_list_to_csv(new_context, live_server, customers, tmp_path, locale):
    page = new_context(locale=locale, accept_downloads=True).new_page()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/customers/?level=A&columns=name&columns=phone&columns=level&sort=name")
    settle(page)
    page.locator(".dropdown").filter(has=page.locator("#export-links")).locator("button").click()
    with page.expect_download() as info:
        page.locator("#export-links a", has_text="CSV").click()
    download = info.value
    target = tmp_path / "export.csv"
    download.save_as(target)
    language = "zh-hans" if locale == LOCALE_ZH else "en"
    with translation.override(language):
        plural = str(Customer._meta.verbose_name_plural)
        headers = [
            str(Customer._meta.get_field(f).verbose_name).capitalize() for f in ("name", "phone", "level")
        ]
    assert download.suggested_filename.startswith(
        plural.replace(" ", "-")
    ) and download.suggested_filename.endswith(".csv")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == headers[:2]
    # Exactly the filtered rows; the formula is neutralised, the phone has no apostrophe.
    assert sorted(row[:2] for row in rows[1:]) == [["'=HYPERLINK(1)", ""], ["飞海科技", PHONE]]


@pytest.mark.parametrize(("locale", "viewport"), [(LOCALE_ZH, PHONE_VIEWPORT), (LOCALE_EN, None)])
def test_data_quality_invalid_phones_open_exactly_those_records(
    new_context, live_server, customers, locale, viewport
):
    context = new_context(locale=locale, **({"viewport": viewport} if viewport else {}))
    page = context.new_page()
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/data-quality/")
    settle(page)
    section = page.locator('[data-entity="customers-customer"]')
    check = section.locator('[data-check="invalid_phone"]')
    assert check.locator(".data-quality-number").inner_text().strip() == "2"
    with translation.override("zh-hans" if locale == LOCALE_ZH else "en"):
        assert translation.gettext("Data quality") in page.locator("h1").inner_text()
    if viewport:
        page.screenshot(path="test-results/data-quality-375.png")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, width  # nothing wider than the phone
    with page.expect_navigation():
        check.locator("a").last.click()
    settle(page)
    assert "/customers/" in page.url and "where=" in page.url
    body = page.locator("#list-results").inner_text()
    assert "云帆网络" in body and "星河软件" in body
    assert "飞海科技" not in body and "HYPERLINK" not in body
