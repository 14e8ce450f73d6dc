"""A rep opens one of their leads, converts it, and lands on the new customer's page showing the
contact — in Chinese and in English; and a visitor sends the public web form."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from guanxi.customers.models import Contact, Customer, CustomerContact, Lead, LeadCaptureForm
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import Department, Role
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ours(language: str, text: str, **values: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text)) % values if values else str(translation.gettext(text))


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_rep_converts_a_lead_into_a_customer_with_its_contact(
    new_context, live_server, make_user, locale, language
):
    with as_system():
        east = Department.objects.create(name="华东销售一部", name_en="East Sales 1")
    rep = make_user("wangfang", name="王芳", department=east)
    with as_system():
        rep.roles.add(Role.objects.get(name="销售代表"))  # the shipped role: own leads, customers, contacts
        lead = Lead.objects.create(
            name="吴刚",
            company="宁波海曙精密机械有限公司",
            title="采购经理",
            phone="+8613812345678",
            province="浙江省",
            city="宁波市",
            source="exhibition",
            owner=rep,
        )
    page = new_context(locale=locale).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/leads/")
    page.locator("#list-results").get_by_role("link", name="吴刚").click()
    page.wait_for_url(f"{live_server.url}/leads/{lead.pk}/")
    settle(page)
    page.screenshot(path=f"/tmp/leads-detail-{language}.png", full_page=True)  # noqa: S108

    page.locator("#lead-convert").click()
    page.wait_for_url(f"{live_server.url}/leads/{lead.pk}/convert/")
    assert page.locator("h1.page-title").inner_text() == ours(language, "Convert lead")
    assert page.locator("input[name=customer-name]").input_value() == "宁波海曙精密机械有限公司"
    page.locator("select[name=customer-industry]").select_option("manufacturing")
    page.screenshot(path=f"/tmp/leads-convert-{language}.png", full_page=True)  # noqa: S108
    page.locator("#convert-submit").click()

    customer = None
    page.wait_for_url(f"{live_server.url}/customers/*/")
    settle(page)
    customer = Customer.objects.get()
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    assert page.locator("h1.page-title").inner_text() == "宁波海曙精密机械有限公司"
    contacts = page.locator("#customer-contacts .contact-link")
    assert contacts.count() == 1
    assert "吴刚" in contacts.inner_text() and "采购经理" in contacts.inner_text()
    message = ours(language, "Converted the lead into customer “%(name)s”.", name="宁波海曙精密机械有限公司")
    assert page.get_by_text(message).count() >= 1
    page.locator("#customer-tab .timeline").wait_for()
    timeline_title = ours(language, "Converted from lead “%(name)s”", name=str(lead))
    assert page.locator("#customer-tab").get_by_text(timeline_title).count() == 1
    page.screenshot(path=f"/tmp/leads-customer-{language}.png", full_page=True)  # noqa: S108

    lead.refresh_from_db()
    contact = Contact.objects.get()
    assert (lead.status, lead.converted_customer, lead.converted_contact) == ("converted", customer, contact)
    assert (customer.owner, customer.industry) == (rep, "manufacturing")
    assert CustomerContact.objects.get().is_primary is True

    # Back on the lead: links to both, and no Convert button any more.
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    settle(page)
    assert page.locator("#lead-conversion a", has_text="宁波海曙精密机械有限公司").count() == 1
    assert page.locator("#lead-convert").count() == 0


def test_visitor_sends_the_web_form_on_a_phone(new_context, live_server, console_errors):
    with as_system():
        pool = Department.objects.create(name="市场部")
        capture = LeadCaptureForm.objects.create(name="官网咨询表单", title="预约产品演示", department=pool)
    context = new_context(locale=LOCALE_ZH, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/f/{capture.key}/?utm_source=baidu&utm_campaign=spring-expo")
    assert page.locator("h1").inner_text() == "预约产品演示"
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.locator("input[name=name]").fill("陈晨")
    page.locator("input[name=phone]").fill("138 0013 8000")
    page.locator("input[name=email]").fill("not-an-email")
    page.wait_for_timeout(3200)  # people take longer than three seconds; so must we
    page.get_by_role("button", name="发送").click()
    assert page.locator(".field-error").inner_text() == "请输入有效的邮箱地址。"
    assert not Lead.objects.exists()
    # The field errors come back as 422 on purpose; Chromium logs every 4xx page load.
    console_errors[:] = [e for e in console_errors if "status of 422" not in e]
    page.locator("input[name=email]").fill("chen@example.com")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="发送").click()
    page.locator("#lead-capture-thanks").wait_for()
    page.screenshot(path="/tmp/leads-public-form.png", full_page=True)  # noqa: S108
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.utm_source, lead.utm_campaign) == (
        "陈晨",
        "+8613800138000",
        "baidu",
        "spring-expo",
    )
    page.goto(f"{live_server.url}/f/{capture.key}/?lang=en")
    assert page.get_by_role("button", name="Send").count() == 1


def test_rep_entering_a_known_customer_sees_the_match_and_links(
    new_context, live_server, make_user, console_errors
):
    with as_system():
        east = Department.objects.create(name="华东销售一部")
    rep = make_user("liuyang", name="刘洋", department=east)
    with as_system():
        rep.roles.add(Role.objects.get(name="销售代表"))
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", phone="+8613700137000", owner=rep)
        for n in range(3):
            Lead.objects.create(name=f"待分配{n}", department=east, source="web_form")
    page = new_context(locale=LOCALE_EN).new_page()
    login(page, live_server, "liuyang")
    page.goto(f"{live_server.url}/leads/add/")
    page.locator("input[name=name]").fill("孙丽")
    page.locator("input[name=company]").fill("杭州 云帆贸易")
    page.locator("input[name=phone]").fill("137 0013 7000")
    page.locator("#lead-form button[type=submit].btn-primary").click()
    warning = page.locator("#lead-duplicate-warning")
    warning.wait_for()
    assert "This lead may already exist." in warning.inner_text()
    assert warning.locator(".duplicate-customer").count() == 1
    page.screenshot(path="/tmp/leads-duplicate.png", full_page=True)  # noqa: S108
    assert not Lead.objects.filter(name="孙丽").exists()
    console_errors[:] = [e for e in console_errors if "status of 422" not in e]  # the 422 is deliberate
    warning.get_by_role("button", name="Link to this customer").click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    settle(page)
    assert "孙丽" in page.locator("#customer-contacts").inner_text()
    assert Lead.objects.get(name="孙丽").converted_customer == customer

    # The pool: the rep claims one of the department's unassigned leads.
    page.goto(f"{live_server.url}/lead-pool/")
    assert page.locator(".pool-lead").count() == 3
    page.screenshot(path="/tmp/leads-unassigned.png", full_page=True)  # noqa: S108
    page.locator(".pool-lead", has_text="待分配0").get_by_role("button", name="Claim").click()
    page.wait_for_url(f"{live_server.url}/leads/*/")
    settle(page)
    assert Lead.objects.get(name="待分配0").owner == rep


def test_my_day_and_the_lead_list_on_a_phone(phone, live_server, make_user):
    from django.utils import timezone

    with as_system():
        east = Department.objects.create(name="华东销售一部")
    rep = make_user("wangfang", name="王芳", department=east)
    with as_system():
        rep.roles.add(Role.objects.get(name="销售代表"))
        for n in range(3):
            Lead.objects.create(
                name=f"新线索{n}",
                company="苏州启明软件有限公司",
                owner=rep,
                assigned_at=timezone.now(),
                source="web_form",
            )
    login(phone, live_server, "wangfang")
    card = phone.locator("#home-recent-leads")
    assert card.locator(".recent-lead").count() == 3
    assert "新分配给我的线索" in card.inner_text()
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    phone.screenshot(path="/tmp/leads-my-day-phone.png", full_page=True)  # noqa: S108
    phone.goto(f"{live_server.url}/leads/")
    assert phone.locator("#list-results tbody tr").count() == 3
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    phone.screenshot(path="/tmp/leads-list-phone.png", full_page=True)  # noqa: S108
    # The pool of unassigned leads: a card per lead with its Claim button inside the screen (the
    # table put it in a sixth column, scrolled out of sight).
    with as_system():
        Lead.objects.create(name="待领取", company="杭州云帆贸易有限公司", department=east, source="web_form")
    phone.goto(f"{live_server.url}/lead-pool/")
    claim = phone.locator(".pool-lead", has_text="待领取").get_by_role("button", name="领取")
    expect(claim).to_be_in_viewport()
    found = claim.bounding_box()
    assert found is not None and found["x"] + found["width"] <= PHONE_VIEWPORT["width"]
    assert overflow_width(phone) <= PHONE_VIEWPORT["width"]
    claim.click()
    phone.wait_for_url(f"{live_server.url}/leads/*/")
    settle(phone)
    assert Lead.objects.get(name="待领取").owner == rep
