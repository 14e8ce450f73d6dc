"""A manager approves a pending document from the bell's notification on a phone (375 px), in
Chinese and in English: notification → the request's page → Approve → the document moved on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from guanxi.approvals.models import ApprovalRequest
from guanxi.approvals.tests.test_engine import MANAGER, submit
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Requisition
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    LOCALE_ZH: {
        "lang": "zh-hans",
        "line": "1 条待我审批",
        "title": "请审批：Submit · 办公设备采购",
        "done": "已同意。",
        "status": "已通过",
        "history": "审批记录",
        "amount": "¥1,000.00",
    },
    LOCALE_EN: {
        "lang": "en",
        "line": "1 awaiting my approval",
        "title": "Please approve: Submit · 办公设备采购",
        "done": "Approved.",
        "status": "Approved",
        "history": "History",
        "amount": "CNY 1,000.00",
    },
}


# How far each card's heading and its first content element stand in from the card's left border.
INSETS = """() => ['#decide-title', '#steps-title', '#history-title'].map((id) => {
  const heading = document.querySelector(id);
  const card = heading.closest('.card');
  const content = card.querySelector('textarea, ol, ul');
  const left = card.getBoundingClientRect().left;
  return Math.min(heading.getBoundingClientRect().left, content.getBoundingClientRect().left) - left;
})"""


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_manager_approves_from_the_notification_at_phone_width(
    new_context, live_server, org, make_flow, make_doc, locale
):
    text = TEXT[locale]
    with as_system():
        manager = org["manager"]
        manager.language = text["lang"]
        manager.save()
    make_flow([MANAGER])
    doc = make_doc(org["rep"])
    request = submit(doc, org["rep"])
    assert request.status == "pending"

    page = new_context(
        locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
    login(page, live_server, "manager", password="pw-" + "manager" * 3)
    settle(page)
    page.locator(".topbar-actions .dropdown").first.locator("button.icon-btn").click()
    expect(page.locator("#bell-approvals")).to_have_text(text["line"])
    item = page.locator("#notification-menu button.dropdown-item", has_text=text["title"])
    expect(item).to_be_visible()
    with page.expect_navigation():
        item.click()
    assert page.url == f"{live_server.url}/approvals/{request.pk}/"
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    # Each card's heading and content sit inside its padding, as on every other page (they touched
    # the card's border), and the approval's own history is not called the change log.
    expect(page.locator("#history-title")).to_have_text(text["history"])
    insets = page.evaluate(INSETS)
    assert len(insets) == 3 and all(inset >= 12 for inset in insets), insets
    page.locator("#approval-comment").fill("同意采购")
    with page.expect_navigation():
        page.locator("#approval-approve").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(text["done"])
    expect(page.locator(".page-header .badge").first).to_have_text(text["status"])
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    settle(page)
    assert Requisition.objects.get(pk=doc.pk).status == "approved"
    assert ApprovalRequest.objects.get(pk=request.pk).status == "approved"

    # The submitter's "submitted by me" on a phone: each request a card with its amount and its
    # status on screen (the status was a second column, cut off at 375 px).
    mine = new_context(locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()
    login(mine, live_server, "rep", password="pw-" + "rep" * 3)
    mine.goto(f"{live_server.url}/approvals/submitted/")
    status = mine.locator(f"#approval-{request.pk} td.approval-status")
    expect(status).to_contain_text(text["status"])
    amount = mine.locator(f"#approval-{request.pk} td.approval-amount")
    expect(amount).to_have_text(text["amount"])
    for cell in (status, amount):
        found = cell.bounding_box()
        assert found is not None and found["x"] + found["width"] <= PHONE_VIEWPORT["width"]
    assert overflow_width(mine) <= PHONE_VIEWPORT["width"]
    settle(mine)


DECIDED = {
    LOCALE_ZH: {"lang": "zh-hans", "tab": "我已审批", "approved": "已通过", "amount": "¥88,000.00"},
    LOCALE_EN: {"lang": "en", "tab": "Decided by me", "approved": "Approved", "amount": "CNY 88,000.00"},
}


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_decided_by_me_at_phone_width_shows_the_amount_on_each_card(
    new_context, live_server, org, make_flow, make_doc, locale
):
    """我已审批 on a phone: the manager's decisions on the rep's requisitions (outside his 本人
    scope: he reads their amounts as their approver), each a card with its amount, his decision
    and when, inside the screen."""
    from guanxi.approvals.tests.test_engine import approve

    text = DECIDED[locale]
    with as_system():
        manager = org["manager"]
        manager.language = text["lang"]
        manager.save()
    make_flow([MANAGER])
    request = submit(make_doc(org["rep"], amount="88000.00"), org["rep"])
    approve(request, org["manager"], "同意")
    older = submit(make_doc(org["rep"], title="打印纸", amount="1000.00"), org["rep"])
    approve(older, org["manager"])

    page = new_context(
        locale=locale, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
    login(page, live_server, "manager", password="pw-" + "manager" * 3)
    page.goto(f"{live_server.url}/approvals/")
    tab = page.locator("nav.tabs a.tab", has_text=text["tab"])
    expect(tab).to_be_visible()
    with page.expect_navigation():
        tab.click()
    assert page.url == f"{live_server.url}/approvals/decided/"
    active = page.locator("nav.tabs a.tab.active")
    expect(active).to_have_text(text["tab"])
    # the strip scrolls sideways at 375 px in English: the current tab is brought into view
    expect(active).to_be_in_viewport()
    shown = active.bounding_box()
    assert shown is not None and shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE_VIEWPORT["width"]
    rows = page.locator("#approval-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_id(f"approval-{older.pk}")  # newest decision first
    amount = page.locator(f"#approval-{request.pk} td.approval-amount")
    expect(amount).to_have_text(text["amount"])
    decision = page.locator(f"#approval-{request.pk} td.approval-my-decision")
    expect(decision).to_contain_text(text["approved"])
    for cell in (amount, decision):
        found = cell.bounding_box()
        assert found is not None and found["x"] + found["width"] <= PHONE_VIEWPORT["width"]
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    settle(page)
