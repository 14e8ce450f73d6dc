"""From a customer's 360° page a rep logs a call with a next follow-up time: the card confirms it,
the new task appears, the timeline reloads by itself — in Chinese and English, and at 375 px."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import perm
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

# Screenshots to look at after a run (the system's temporary directory).
SHOTS = Path(tempfile.gettempdir())

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERMS = [
    perm(Customer, "view"),
    perm(Customer, "change"),
    perm(Contact, "view"),
    perm(FollowUp, "view"),
    perm(FollowUp, "add"),
    perm(Task, "view"),
    perm(Task, "add"),
    perm(Task, "change"),
]
TEXT = {
    LOCALE_ZH: {"logged": "已记录电话。", "task": "跟进 苏州恒远机械有限公司", "title": "电话"},
    LOCALE_EN: {"logged": "Call logged.", "task": "Follow up 苏州恒远机械有限公司", "title": "Call"},
}


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=PERMS, name="王芳")


@pytest.fixture
def customer(rep):
    with as_system():
        return Customer.objects.create(name="苏州恒远机械有限公司", owner=rep)


def log_a_call(page, live_server, customer, locale, shot):
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    timeline = page.locator("#customer-tab .timeline")
    timeline.wait_for()
    next_time = timezone.localtime() + datetime.timedelta(days=1)
    next_time = next_time.replace(hour=10, minute=30, second=0, microsecond=0)

    card = page.locator("#activities-panel")
    assert card.locator("input[name=kind][value=call]").is_checked()
    card.locator("textarea[name=content]").fill("电话沟通报价，客户希望下周确认采购数量")
    card.locator("select[name=outcome]").select_option("interested")
    card.locator("input[name=next_follow_up_at]").fill(next_time.strftime("%Y-%m-%dT%H:%M"))
    card.locator("#activities-log-submit").click()

    page.locator("#activities-logged").wait_for()
    assert TEXT[locale]["logged"] in page.locator("#activities-logged").inner_text()
    task_row = page.locator("#activities-tasks .task-row")
    assert task_row.count() == 1
    assert TEXT[locale]["task"] in task_row.inner_text()
    # the timeline tab reloaded on "followup:logged" and shows the call
    page.locator("#customer-tab .timeline-followup").wait_for()
    entry = page.locator("#customer-tab .timeline-followup").first
    assert TEXT[locale]["title"] in entry.inner_text()
    assert "电话沟通报价" in entry.inner_text()
    assert card.locator("textarea[name=content]").input_value() == ""  # a fresh form for the next one
    settle(page)
    page.screenshot(path=shot, full_page=True)

    follow_up = FollowUp.objects.get()
    task = Task.objects.get()
    assert (follow_up.kind, follow_up.outcome, follow_up.customer_id) == ("call", "interested", customer.pk)
    assert (task.follow_up_id, task.due_at, task.remind_at) == (
        follow_up.pk,
        next_time,
        next_time - datetime.timedelta(minutes=15),
    )


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_log_a_call_from_the_360_page(new_context, live_server, rep, customer, locale):
    page = new_context(locale=locale).new_page()
    login(page, live_server, "rep")
    log_a_call(page, live_server, customer, locale, SHOTS / f"activities-360-{locale}.png")

    # tick the new task done without leaving the page
    checkbox = page.locator("#activities-tasks .task-check")
    checkbox.check()
    page.locator("#activities-tasks .task-row.done").wait_for()
    page.locator("#customer-tab .timeline-task").first.wait_for()
    settle(page)
    assert Task.objects.get().status == "done"


def test_log_a_call_at_phone_width(phone, live_server, rep, customer):
    login(phone, live_server, "rep")
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    phone.locator("#customer-tab .timeline").wait_for()
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    log_a_call(phone, live_server, customer, LOCALE_ZH, SHOTS / "activities-360-phone.png")
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]

    phone.goto(f"{live_server.url}/")
    phone.locator("#home-followups").wait_for()
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    settle(phone)
    phone.screenshot(path=SHOTS / "activities-myday-phone.png", full_page=True)


def test_quick_actions_open_the_forms(new_context, live_server, rep, customer):
    page = new_context(locale=LOCALE_EN).new_page()
    login(page, live_server, "rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#customer-tab .timeline").wait_for()
    assert not page.locator("#activities-task").evaluate("el => el.open")
    page.locator("#action-add-task").click()
    page.wait_for_function("() => document.querySelector('#activities-task').open")
    page.locator("#activities-task-form input[name=title]").fill("寄送样品")
    page.locator("#activities-task-submit").click()
    page.locator("#activities-tasks .task-row", has_text="寄送样品").wait_for()
    settle(page)
    assert Task.objects.get().title == "寄送样品"
    page.locator("#action-log-follow-up").click()
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'content'")
    settle(page)
