"""The follow-up flow on the 360° page and the 撞单 way forward, in a real browser:

* a rep logs a call with a next step: the task is titled with it ("发送修订版报价单 · <customer>")
  and the page header shows "last contacted" without a reload (the HX-Trigger event);
* a rep's conversion is refused (撞单), she asks the owner to add her to the team from the refusal,
  the owner adds her from the notification, and the lead converts into that customer.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.core.models import Notification, RecordShare
from guanxi.customers.models import Lead
from guanxi.customers.pools.tests.pool_fixtures import build_org
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "+8613912345678"


@pytest.mark.parametrize(("locale", "label"), [(LOCALE_ZH, "最近联系时间"), (LOCALE_EN, "Last contacted")])
def test_follow_up_next_step_titles_the_task_and_the_header_updates(new_context, live_server, locale, label):
    org = build_org(timezone.now())
    with as_system():
        type(org.users["zhang"]).objects.filter(pk=org.users["zhang"].pk).update(language="")
    customer = org.customer("飞海科技有限公司", owner="zhang", owned_days=3)
    page = new_context(locale=locale).new_page()
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#customer-tab .timeline").wait_for()
    assert page.locator("#detail-last-contacted").inner_text().strip() == ""
    page.evaluate("window.__same_page = true")  # gone if the page reloads

    card = page.locator("#activities-panel")
    card.locator("textarea[name=content]").fill("客户要求修改报价")
    card.locator("input[name=next_step]").fill("发送修订版报价单")
    due = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=10, minute=0)
    card.locator("input[name=next_follow_up_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    card.locator("#activities-log-submit").click()

    page.locator("#activities-tasks .task-row", has_text="发送修订版报价单 · 飞海科技有限公司").wait_for()
    page.locator("#detail-last-contacted time").wait_for()
    assert label in page.locator("#detail-last-contacted").inner_text()
    assert page.evaluate("window.__same_page === true")
    settle(page)
    assert Task.objects.get().title == "发送修订版报价单 · 飞海科技有限公司"


def test_refused_conversion_asks_the_owner_who_adds_her_then_it_converts(
    new_context, live_server, console_errors
):
    org = build_org(timezone.now())
    taken = org.customer("苏州明远精密机械有限公司", owner="zhang", owned_days=5, phone=PHONE)
    with as_system():
        for key in ("zhang", "li"):
            type(org.users[key]).objects.filter(pk=org.users[key].pk).update(language="")
        lead = Lead.objects.create(
            name="陈静", company="苏州明远精密机械", phone=PHONE, owner=org.users["li"]
        )

    li = new_context(locale=LOCALE_ZH).new_page()
    login(li, live_server, "li")
    li.goto(f"{live_server.url}/leads/{lead.pk}/convert/")
    with li.expect_navigation():
        li.locator("#convert-submit").click()
    assert "已存在" in li.locator("#convert-errors").inner_text()
    with li.expect_navigation():
        li.locator("#conflict-ways .conflict-ask").click()
    with li.expect_navigation():
        li.locator("#team-request-ask button[type=submit]").click()
    assert "张三" in li.locator(".alert-success").inner_text()
    settle(li)

    zhang = new_context(locale=LOCALE_ZH).new_page()
    login(zhang, live_server, "zhang")
    url = Notification.objects.get(recipient=org.users["zhang"]).url
    zhang.goto(f"{live_server.url}{url}")
    with zhang.expect_navigation():
        zhang.locator("#team-request-form button[value=write]").click()
    zhang.locator("#customer-profile").wait_for()
    settle(zhang)
    assert RecordShare.objects.get().user == org.users["li"]

    li.goto(f"{live_server.url}/leads/{lead.pk}/convert/")
    with li.expect_navigation():
        li.locator("#convert-submit").click()
    with li.expect_navigation():
        li.locator("#conflict-ways .conflict-convert button").click()
    li.locator("#customer-contacts .contact-link[data-contact='陈静']").wait_for()
    settle(li)
    lead.refresh_from_db()
    assert (lead.status, lead.converted_customer_id) == ("converted", taken.pk)
    # The refused conversion answers 409 by design (the browser reports the status): only those.
    refused = [e for e in console_errors if "409 (Conflict)" in e and f"/leads/{lead.pk}/convert/" in e]
    assert len(refused) == 2
    console_errors[:] = [e for e in console_errors if e not in refused]
