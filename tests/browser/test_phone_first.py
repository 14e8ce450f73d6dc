"""Phone first (375 px, touch): generic lists turn into cards with their row actions inside the
screen, phone numbers are ``tel:`` links, the 360° page opens with a summary and a sticky action
bar, a visit logged with the browser's location shows on the timeline, the pool's Claim button is
inside the viewport, filter panels start collapsed with removable chips, the notification menu
stays on screen — and at 1440 px the lists are still tables. Every position is checked from the
elements' bounding boxes; screenshots of both widths go to the temporary directory."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.customers.pools.tests.pool_fixtures import build_org
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, PHONE_VIEWPORT, login, overflow_width, settle

SHOTS = Path(tempfile.gettempdir())
WIDTH = PHONE_VIEWPORT["width"]
# 上海 人民广场 (WGS 84)
POSITION = {"latitude": 31.230416, "longitude": 121.473701, "accuracy": 18}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} has no box (not displayed)"
    return found


def inside_screen(locator: Locator, width: int = WIDTH) -> None:
    """The element is displayed and lies horizontally within the viewport (no sideways scroll)."""
    expect(locator).to_be_visible()  # waits out an htmx swap in flight (the list re-rendering)
    b = box(locator)
    assert b["x"] >= 0 and b["x"] + b["width"] <= width, f"{locator}: {b} is outside 0..{width}"


@pytest.fixture
def org() -> Any:
    return build_org(timezone.now())


@pytest.fixture
def customers(org: Any) -> dict[str, Customer]:
    zhang = org.users["zhang"]
    with as_system():
        type(zhang).objects.filter(pk=zhang.pk).update(language="")  # the browser's language (zh)
        found = {}
        for n, (name, phone) in enumerate(
            [("苏州恒远机械有限公司", "+8613800138000"), ("杭州云帆贸易有限公司", "+8613912345678")]
        ):
            found[name] = org.customer(name, owner="zhang", owned_days=3 + n, level="A", province="江苏省")
            Customer.objects.filter(pk=found[name].pk).update(phone=phone)
        contact = Contact.objects.create(name="王经理", title="采购经理", phone="+8618797064350", owner=zhang)
        CustomerContact.objects.create(
            customer=found["苏州恒远机械有限公司"], contact=contact, is_primary=True
        )
    return found


def test_rep_finds_a_customer_on_the_card_list_calls_and_logs_a_visit_with_location(
    new_context, live_server, org, customers
):
    context = new_context(
        viewport=PHONE_VIEWPORT,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        permissions=["geolocation"],
        geolocation=POSITION,
    )
    page = context.new_page()
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/customers/")
    settle(page)
    assert overflow_width(page) <= WIDTH
    # Cards: no header row, each row a card inside the screen with its title, fields and actions.
    expect(page.locator("#list-results thead")).to_be_hidden()
    cards = page.locator("#list-results tbody tr")
    assert cards.count() == 2
    for i in range(2):
        inside_screen(cards.nth(i))
    # The filter panel starts collapsed on a phone.
    expect(page.locator("#filters .filter-panel")).to_be_hidden()

    # Typing (a keyup) searches after a short pause: exactly one request, waited for. (Enter would
    # submit at once *and* fire the paused keyup search: two swaps, one of them mid-assertion.)
    with page.expect_response(lambda r: "/customers/?" in r.url and "q=%E6%81%92%E8%BF%9C" in r.url):
        page.locator("#filter-q").fill("恒远")
        page.locator("#filter-q").dispatch_event("keyup")
    expect(cards).to_have_count(1)
    settle(page)
    card = cards.first
    title = card.locator("td.cell-title a")
    assert title.inner_text() == "苏州恒远机械有限公司"
    inside_screen(title)
    level = card.locator("td.cell-card[data-label]").first
    expect(level).to_be_visible()
    call = card.locator("td.row-actions a.row-call")
    assert call.get_attribute("href") == "tel:+8613800138000"
    inside_screen(call)
    log = card.locator("td.row-actions a.row-log")
    inside_screen(log)
    # the phone column itself (when shown) is a tel: link too
    assert card.locator("a.tel-link[href='tel:+8613800138000']").count() == 1
    page.screenshot(path=SHOTS / "phone-375-customers.png", full_page=True)

    with page.expect_navigation():
        title.click()
    settle(page)
    customer = customers["苏州恒远机械有限公司"]
    assert page.url.endswith(f"/customers/{customer.pk}/")
    # The summary comes first: level, owner, the main contact with a call button.
    summary = page.locator("#customer-summary")
    expect(summary).to_be_visible()
    assert box(summary)["y"] < box(page.locator("#customer-profile"))["y"]
    expect(page.locator("#customer-profile .card-body")).to_be_hidden()  # the 25 fields: folded
    assert page.locator("#summary-owner").inner_text() == "张三"
    assert "王经理" in page.locator("#summary-contact").inner_text()
    assert page.locator("#summary-call").get_attribute("href") == "tel:+8618797064350"
    inside_screen(page.locator("#summary-call"))
    # The sticky action bar sits at the bottom of the screen, inside it.
    bar = page.locator("#customer-actionbar")
    inside_screen(bar)
    bar_box = box(bar)
    assert bar_box["y"] + bar_box["height"] <= PHONE_VIEWPORT["height"] + 1
    assert page.locator("#actionbar-call").get_attribute("href") == "tel:+8618797064350"
    page.screenshot(path=SHOTS / "phone-375-customer-360.png")

    # 写跟进 from the bar: the log form, a visit, the location attached with one press.
    with page.expect_response(lambda r: "open=log" in r.url):  # the card comes back with the form
        page.locator("#actionbar-log").click()
    settle(page)
    panel = page.locator("#activities-panel")
    panel.locator("textarea[name=content]").wait_for()
    panel.locator("label.chip:has(input[value=visit])").click()
    check_in = panel.locator("#activities-check-in-button")
    expect(check_in).to_be_visible()
    inside_screen(check_in)
    check_in.click()
    status = panel.locator(".check-in-status")
    expect(status).to_contain_text("31.23042")
    assert panel.locator("input[name=latitude]").input_value() == "31.230416"
    panel.locator("input[name=place]").fill("客户工厂 苏州工业园区")
    panel.locator("textarea[name=content]").fill("上门拜访，参观产线，确认二期采购意向")
    panel.locator("#activities-log-submit").click()
    # a busy CI machine may take longer than the default to save and reload the timeline
    page.locator("#activities-logged").wait_for(timeout=30_000)
    entry = page.locator("#customer-tab .timeline-followup.followup-visit").first
    entry.wait_for(timeout=30_000)
    place = entry.locator(".check-in-place")
    expect(place).to_contain_text("31.23042, 121.47370")
    expect(place).to_contain_text("±18")
    assert "uri.amap.com" in place.locator("a").get_attribute("href")
    settle(page)
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.latitude, follow_up.longitude, follow_up.location_accuracy) == (
        "visit",
        31.230416,
        121.473701,
        18,
    )
    assert follow_up.place == "客户工厂 苏州工业园区"
    assert overflow_width(page) <= WIDTH
    entry.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "phone-375-visit-timeline.png")


def test_rep_claims_from_the_pool_on_a_phone(phone: Page, live_server, org):
    with as_system():
        zhang = org.users["zhang"]
        type(zhang).objects.filter(pk=zhang.pk).update(language="")
    waiting = org.customer("宁波东海船舶配件有限公司", pool=org.east, level="B", province="浙江省")
    with as_system():  # the customer's contact comes with it when claimed
        contact = Contact.objects.create(name="陈船长", phone="+8613900139000")
        CustomerContact.objects.create(customer=waiting, contact=contact, is_primary=True)
    login(phone, live_server, "zhang")
    phone.goto(f"{live_server.url}/customers/pools/{org.east.pk}/")
    settle(phone)
    assert overflow_width(phone) <= WIDTH
    row = phone.locator(f"tr.pool-customer[data-customer='{waiting.pk}']")
    inside_screen(row)
    claim = row.locator(".claim-button")
    expect(claim).to_be_visible()
    inside_screen(claim)
    phone.screenshot(path=SHOTS / "phone-375-pool.png", full_page=True)
    with phone.expect_navigation():
        claim.click()
    settle(phone)
    expect(phone.locator(".alert-success")).to_be_visible()
    assert Customer.objects.get(pk=waiting.pk).owner_id == zhang.pk
    # on the customer's page, its contact is there with a call link
    phone.goto(f"{live_server.url}/customers/{waiting.pk}/")
    settle(phone)
    expect(phone.locator("#customer-contacts")).to_contain_text("陈船长")
    assert phone.locator("#customer-contacts a[href='tel:+8613900139000']").count() == 1
    assert Contact.objects.get(pk=contact.pk).owner_id == zhang.pk


def test_my_tasks_open_on_the_tasks_with_removable_filter_chips(phone: Page, live_server, org):
    zhang = org.users["zhang"]
    with as_system():
        type(zhang).objects.filter(pk=zhang.pk).update(language="")
        for n in range(3):
            Task.objects.create(title=f"回访客户 {n}", owner=zhang, due_at=timezone.now())
    login(phone, live_server, "zhang")
    phone.goto(f"{live_server.url}/tasks/?mine=true&status=open")
    settle(phone)
    expect(phone.locator("#filters .filter-panel")).to_be_hidden()
    first = phone.locator("#list-results tbody tr").first
    # the first task is on the first screen, not below a wall of filter chips
    assert box(first)["y"] < PHONE_VIEWPORT["height"]
    inside_screen(first)
    chips = phone.locator("#list-results .filter-chip")
    assert chips.count() == 2
    for i in range(chips.count()):
        inside_screen(chips.nth(i))
    phone.screenshot(path=SHOTS / "phone-375-my-tasks.png")
    with phone.expect_navigation():
        phone.locator(".filter-chip[data-filter='status']").click()
    settle(phone)
    assert "status=" not in phone.url and "mine=true" in phone.url
    assert phone.locator("#list-results .filter-chip").count() == 1


def test_menus_stay_inside_the_screen(phone: Page, live_server, org):
    login(phone, live_server, "manager")
    phone.goto(f"{live_server.url}/customers/")
    settle(phone)
    phone.locator(".topbar [aria-haspopup]").first.click()  # the notification bell
    bell_menu = phone.locator(".topbar .dropdown-menu.wide")
    expect(bell_menu).to_be_visible()
    phone.screenshot(path=SHOTS / "phone-375-bell.png")
    inside_screen(bell_menu)
    phone.locator(
        "#notification-menu .empty-state, #notification-menu a, #notification-menu p"
    ).first.wait_for()
    phone.keyboard.press("Escape")
    phone.locator(".user-btn").click()
    user_menu = phone.locator(".user-btn + .dropdown-menu")
    expect(user_menu).to_be_visible()
    inside_screen(user_menu)
    phone.keyboard.press("Escape")
    phone.locator(".page-actions button", has_text="Views").click()  # the manager reads English
    views_menu = phone.locator(".page-actions .dropdown-menu").first
    expect(views_menu).to_be_visible()
    inside_screen(views_menu)
    phone.locator("h1.page-title").click()  # outside: the menu closes
    expect(views_menu).to_be_hidden()
    phone.locator(".columns-chooser > summary").click()
    columns_menu = phone.locator(".columns-chooser .dropdown-menu")
    expect(columns_menu).to_be_visible()
    inside_screen(columns_menu)


def test_desktop_keeps_the_table(new_context, live_server, org, customers):
    page = new_context(viewport={"width": 1440, "height": 900}, locale=LOCALE_EN).new_page()
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/customers/")
    settle(page)
    head = page.locator("#list-results thead th:visible")
    assert head.count() >= 6  # select, name, kind, level, stage, province, phone, owner, tags
    expect(page.locator("#list-results td.row-actions").first).to_be_hidden()  # card-only cells
    expect(page.locator("#list-results td.card-only").first).to_be_hidden()
    rows = page.locator("#list-results tbody tr")
    assert rows.count() == 2
    first_cells = rows.first.locator("td:visible")
    boxes = [box(first_cells.nth(i)) for i in range(first_cells.count())]
    # one line of cells side by side, as a table
    assert len({round(b["y"]) for b in boxes}) == 1 and len(boxes) >= 6
    hengyuan = rows.filter(has_text="苏州恒远机械有限公司")
    assert hengyuan.locator("a.tel-link").get_attribute("href") == "tel:+8613800138000"
    page.screenshot(path=SHOTS / "desktop-1440-customers.png", full_page=True)
    page.goto(f"{live_server.url}/customers/pools/{org.east.pk}/")
    settle(page)
    page.goto(f"{live_server.url}/customers/{customers['苏州恒远机械有限公司'].pk}/")
    settle(page)
    expect(page.locator("#customer-summary")).to_be_hidden()
    expect(page.locator("#customer-actionbar")).to_be_hidden()
    expect(page.locator("#customer-profile .card-body")).to_be_visible()
    assert page.locator("#customer-contacts a[href='tel:+8618797064350']").count() == 1
    page.screenshot(path=SHOTS / "desktop-1440-customer-360.png", full_page=True)
