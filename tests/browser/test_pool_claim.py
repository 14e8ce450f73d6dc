"""A rep at the cap opens the public pool, clicks Claim and is told which rule refused — in Chinese
and in English; once the administrator raises the cap the claim goes through and the customer is
on the rep's own customer list. Also the put-back dialog on the customer's page, at phone width."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from guanxi.customers.models import Customer, Pool
from guanxi.customers.pools.tests.pool_fixtures import build_org
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ours(language: str, text: str, **params: object) -> str:
    with translation.override(language):
        return str(translation.gettext(text)) % params


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_claim_refused_by_the_cap_then_allowed(new_context, live_server, locale, language):
    org = build_org(timezone.now())
    rep = org.users["zhang"]
    with as_system():
        type(rep).objects.filter(pk=rep.pk).update(language="")  # the browser's language decides
        Pool.objects.filter(pk=org.east.pk).update(max_owned_customers=1)
    org.customer("苏州恒远机械有限公司", owner="zhang", owned_days=3)
    wanted = org.customer("杭州云帆贸易有限公司", pool=org.east, level="A", province="浙江省")

    page = new_context(locale=locale).new_page()
    login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/customers/pools/{org.east.pk}/")
    assert page.locator("#pool-owned").inner_text().strip() == "1/1"
    row = page.locator(f"tr.pool-customer[data-customer='{wanted.pk}']")
    with page.expect_navigation():
        row.locator(".claim-button").click()
    settle(page)
    refusal = ours(
        language,
        "You already own %(count)d customers; %(pool)s allows at most %(cap)d per person.",
        count=1,
        pool="华东公海",
        cap=1,
    )
    assert page.locator(".alert-error .alert-body").inner_text().strip() == refusal
    assert Customer.objects.get(pk=wanted.pk).owner_id is None

    # The administrator raises the cap; the same click now claims the customer.
    Pool.objects.filter(pk=org.east.pk).update(max_owned_customers=2)
    page.reload()
    with page.expect_navigation():
        page.locator(f"tr.pool-customer[data-customer='{wanted.pk}'] .claim-button").click()
    settle(page)
    assert page.locator(".alert-success .alert-body").inner_text().strip() == ours(
        language, "You now own “%(name)s”.", name="杭州云帆贸易有限公司"
    )
    assert page.locator(f"tr.pool-customer[data-customer='{wanted.pk}']").count() == 0
    assert Customer.objects.get(pk=wanted.pk).owner_id == rep.pk

    page.goto(f"{live_server.url}/customers/")
    settle(page)
    assert page.locator("#list-results").get_by_text("杭州云帆贸易有限公司").count() == 1


def test_put_back_with_a_reason_at_phone_width(phone, live_server):
    org = build_org(timezone.now())
    customer = org.customer("深圳前海数据有限公司", owner="zhang", owned_days=3)

    login(phone, live_server, "zhang")
    phone.goto(f"{live_server.url}/customers/{customer.pk}/")
    settle(phone)
    phone.locator("#customer-release > button").click()
    form = phone.locator("#customer-release form")
    form.locator("select[name=pool]").select_option(str(org.east.pk))
    form.locator("textarea[name=reason]").fill("客户预算冻结")
    with phone.expect_navigation():
        form.locator("button[type=submit]").click()
    settle(phone)
    # zhang uses English (his saved language)
    assert (
        phone.locator(".alert-success .alert-body").inner_text().strip()
        == "“深圳前海数据有限公司” is back in 华东公海."
    )
    assert "In 华东公海 since" in phone.locator("#customer-pool-status").inner_text()
    customer.refresh_from_db()
    assert (customer.owner_id, customer.pool_id, customer.previous_owner_id) == (
        None,
        org.east.pk,
        org.users["zhang"].pk,
    )
