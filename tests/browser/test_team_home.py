"""A manager signs in and lands on the team home: the team's numbers, each a link to a list that
shows exactly that many rows, and the charts drawn (zh and en, 1440 px and 375 px). A rep claims a
customer from the pool on a phone and finds its contacts on the customer's page."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.customers.models import Contact, Customer, CustomerContact, Lead, PoolRule
from guanxi.customers.pools.tests.pool_fixtures import build_org
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "guanxi-shots"  # looked at by hand; not an assertion


def seeded_org():
    org = build_org(timezone.now())
    now = timezone.now()
    with as_system():
        type(org.users["manager"]).objects.filter(pk=org.users["manager"].pk).update(language="")
        for key, overdue in (("zhang", 3), ("li", 2), ("zhao", 5)):
            for i in range(overdue):
                Task.objects.create(
                    title=f"逾期{key}{i}", owner=org.users[key], due_at=now - dt.timedelta(days=i + 1)
                )
        Lead.objects.create(name="新线索", owner=org.users["zhang"])
        PoolRule.objects.create(
            pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5
        )
    for key, level in (("zhang", "A"), ("zhang", "B"), ("li", "C")):
        org.customer(f"{key}{level}客户", owner=key, level=level, owned_days=1, contacted_days=0.1)
    org.customer("快到期客户", owner="li", level="A", owned_days=60, contacted_days=27)
    return org


@pytest.mark.parametrize(("locale", "title"), [(LOCALE_ZH, "我的团队"), (LOCALE_EN, "My team")])
@pytest.mark.parametrize("width", [1440, 375])
def test_manager_home_numbers_link_to_lists_that_agree(new_context, live_server, locale, title, width):
    seeded_org()
    viewport = PHONE_VIEWPORT if width == 375 else {"width": 1440, "height": 900}
    SHOTS.mkdir(exist_ok=True)
    page = new_context(locale=locale, viewport=viewport).new_page()
    login(page, live_server, "manager")
    settle(page)
    assert page.locator(".home-tabs .tab.active").inner_text().strip() == title
    page.locator(".team-chart canvas").first.wait_for()
    assert overflow_width(page) <= width
    page.screenshot(path=f"{SHOTS}/team-home-{locale}-{width}.png", full_page=True)
    numbers = {}
    for card in page.locator(".team-number").all():
        numbers[card.get_attribute("id")] = (
            int(card.locator(".team-count").inner_text()),
            card.get_attribute("href"),
        )
    assert {key: count for key, (count, _url) in numbers.items()} == {
        "team-team_overdue": 5,
        "team-team_follow_ups_due": 0,
        "team-team_returning": 1,
        "team-team_new_leads": 1,
        "team-team_overdue_installments": 0,  # the receivables module's numbers: no plans here
        "team-team_due_this_week": 0,
    }
    for key, (count, url) in numbers.items():
        page.goto(f"{live_server.url}{url}")
        settle(page)
        if "dry-run" in url:
            shown = page.locator("tr.plan-return, tr.plan-warning").count()
        else:
            shown = page.locator("#list-results input[name=pk]").count()
        assert shown == count, key
    page.goto(f"{live_server.url}{numbers['team-team_overdue'][1]}")
    settle(page)
    page.screenshot(path=f"{SHOTS}/team-overdue-list-{locale}-{width}.png", full_page=True)
    # My day is one tab away
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.locator(".home-tabs .tab").nth(1).click()
    page.locator("#my-day").wait_for()


def test_rep_claims_from_the_pool_on_a_phone_and_sees_the_contacts(phone, live_server):
    org = build_org(timezone.now())
    customer = org.customer("杭州云帆贸易有限公司", pool=org.east, level="A")
    with as_system():
        Customer.objects.filter(pk=customer.pk).update(previous_owner=org.users["li"])
        contact = Contact.objects.create(name="陈静", phone="+8613800001111", owner=org.users["li"])
        CustomerContact.objects.create(customer=customer, contact=contact, is_primary=True)
        Task.objects.create(title="发送修订版报价单 · 杭州云帆", customer=customer, owner=org.users["li"])

    login(phone, live_server, "zhang")
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    settle(phone)
    assert phone.locator("#customer-contacts .contact-link").count() == 0  # not yours yet
    with phone.expect_navigation():
        phone.locator("#customer-claim button[type=submit]").click()
    settle(phone)
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    settle(phone)
    assert phone.locator("#customer-contacts .contact-link[data-contact='陈静']").count() == 1
    phone.screenshot(path=f"{SHOTS}/claimed-contacts-375.png", full_page=True)
    assert Task.objects.get(customer=customer).owner == org.users["zhang"]
