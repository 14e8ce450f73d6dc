"""At phone width (375 px): the navigation drawer works and no page scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.core.models import Tag
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import PHONE_VIEWPORT, login, overflow_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drawer_navigation_and_no_horizontal_overflow(phone, live_server, admin_user):
    with as_system():
        tag = Tag.objects.create(
            name="重点客户",
            slug="zhong-dian-ke-hu",
            color="red",
            description="年采购额超过一百万元的战略客户" * 3,
        )
        Tag.objects.create(name="渠道伙伴", slug="qu-dao-huo-ban", color="green")
    login(phone, live_server, "admin")
    assert phone.url == f"{live_server.url}/"
    width = PHONE_VIEWPORT["width"]
    assert overflow_width(phone) <= width

    # The drawer is closed: the sidebar sits off-screen and the toggle says so.
    sidebar = phone.locator("#sidebar")
    toggle = phone.locator(".nav-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    tags_link = sidebar.locator("a.nav-link[href='/tags/']")
    assert not in_viewport(phone, tags_link)

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "open" in sidebar.get_attribute("class").split()
    phone.wait_for_function("el => el.getBoundingClientRect().left >= 0", arg=sidebar.element_handle())
    assert in_viewport(phone, tags_link)
    with phone.expect_navigation():
        tags_link.click()
    assert phone.url == f"{live_server.url}/tags/"
    assert tags_link.get_attribute("aria-current") == "page"
    # A new page starts with the drawer closed.
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.locator("#list-results tbody tr").count() == 2
    assert overflow_width(phone) <= width

    phone.goto(f"{live_server.url}{tag.get_absolute_url()}")
    assert phone.locator("h1.page-title").inner_text() == "重点客户"
    phone.locator("#tag-tab .timeline").wait_for()  # the timeline tab loaded by htmx
    assert overflow_width(phone) <= width


def test_drawer_closes_on_escape_and_backdrop(phone, live_server, admin_user):
    login(phone, live_server, "admin")
    toggle = phone.locator(".nav-toggle")
    toggle.click()
    expect(phone.locator(".sidebar-backdrop")).to_be_visible()
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    # The backdrop covers the page right of the drawer.
    phone.locator(".sidebar-backdrop").click(position={"x": PHONE_VIEWPORT["width"] - 10, "y": 400})
    assert toggle.get_attribute("aria-expanded") == "false"
    # the backdrop fades out: wait for it (is_visible() would read it mid-transition)
    expect(phone.locator(".sidebar-backdrop")).to_be_hidden()


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
