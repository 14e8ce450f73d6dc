"""An administrator builds an approval flow in the editor — a condition row and two steps, one of
them a named user chosen in the picker — in Chinese and in English, and at phone width."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from playwright.sync_api import expect

from guanxi.approvals.models import ApprovalFlow
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Requisition
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, pick, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = {LOCALE_ZH: "已保存审批流程“大额采购审批”。", LOCALE_EN: "Saved the approval flow “Large purchase”."}


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_admin_builds_a_flow_with_a_condition_and_two_steps(
    new_context, live_server, admin_user, org, locale
):
    with as_system():
        admin_user.language = "zh-hans" if locale == LOCALE_ZH else "en"
        admin_user.save()
    page = new_context(locale=locale, viewport=PHONE_VIEWPORT).new_page()
    login(page, live_server, admin_user.username)
    page.goto(f"{live_server.url}/settings/approval-flows/")
    page.locator("#flow-add").click()
    form = page.locator("#flow-form")
    form.locator("input[name=name]").fill("大额采购审批")
    form.locator("input[name=name_en]").fill("Large purchase")
    # Choosing the document re-draws the condition rows with that document's fields (htmx).
    document = f"{ContentType.objects.get_for_model(Requisition).pk}:submit"
    form.locator("select[name=document]").select_option(document)
    expect(page.locator("#flow-condition")).to_have_attribute("data-document", document)
    form.locator("select[name=cond-0-field]").select_option("amount_base")
    form.locator("select[name=cond-0-op]").select_option("gt")
    form.locator("input[name=cond-0-value]").fill("50000")
    form.locator("input[name=step-0-name]").fill("经理审批")
    form.locator("select[name=step-0-approvers]").select_option("manager")
    page.locator("#flow-save").click()  # saved with one step, then a second one in the spare row
    expect(page.locator("#flow-list")).to_be_visible()
    page.get_by_role("link", name="大额采购审批" if locale == LOCALE_ZH else "Large purchase").click()
    form = page.locator("#flow-form")
    form.locator("input[name=step-1-name]").fill("财务复核")
    form.locator("select[name=step-1-approvers]").select_option("users")
    pick(form.locator("[data-step='1']"), "step-1-users", "director", "director")
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"/tmp/approval-flow-editor-{locale}.png", full_page=True)  # noqa: S108
    page.locator("#flow-save").click()
    expect(page.get_by_text(SAVED[locale])).to_be_visible()
    settle(page)
    flow = ApprovalFlow.objects.get(name="大额采购审批")
    assert [s["approvers"] for s in flow.steps] == ["manager", "users"]
    assert flow.steps[1]["users"] == [org["director"].pk]
    assert flow.condition["all"][0]["field"] == "amount_base"
