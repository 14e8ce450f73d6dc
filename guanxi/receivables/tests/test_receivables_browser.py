"""Finance records a receipt on a contract with a three-installment plan and sees the first
installment turn 已回款 and the aging report change; a rep requests a special VAT invoice on a
phone and the manager approves it there — in Chinese and English."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.contracts.models import Contract
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt
from guanxi.receivables.services import split_plan
from guanxi.users.models import Department, User
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    LOCALE_ZH: {
        "paid": "已回款",
        "pending": "待回款",
        "total_before": "¥90,000.00",
        "total_after": "¥60,000.00",
        "submit": "提交审批",
        "approved": "已审批",
        "lang": "zh-hans",
    },
    LOCALE_EN: {
        "paid": "Paid",
        "pending": "Pending",
        "total_before": "CNY 90,000.00",
        "total_after": "CNY 60,000.00",
        "submit": "Submit for approval",
        "approved": "Approved",
        "lang": "en",
    },
}


@pytest.fixture
def contract(db):
    from guanxi.approvals.declare import install_declared_flows

    install_declared_flows()  # a transactional test starts from a flushed database
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        manager = User.objects.create_user(
            username="manager1", password="pw-browser-manager", name="张伟", department=east1
        )
        rep = User.objects.create_user(
            username="rep", password="pw-browser-rep", name="王芳", department=east1, manager=manager
        )
        finance = User.objects.create_user(username="finance", password="pw-browser-finance", name="刘洋")
        east1.manager = manager
        east1.save()
        customer = Customer.objects.create(
            name="上海华康医疗器械有限公司", owner=rep, credit_code="91310000MA1FL4KX3N"
        )
        contract = Contract.objects.create(
            customer=customer, title="华康年度服务合同", number="HT-202612-0001",
            amount_amount=Decimal("90000.00"), status="active", owner=rep,
        )  # fmt: skip
    for model in (Customer, Contract, Receipt, InvoiceRequest):
        give_role(rep, model, "own", ["view", "add", "change"], name=f"rep-{model._meta.model_name}")
        give_role(
            manager, model, "department_tree", ["view", "add", "change"], name=f"mgr-{model._meta.model_name}"
        )
    from guanxi.approvals.models import ApprovalRequest

    give_role(rep, ApprovalRequest, "own", ["view"], name="rep-approvals")
    give_role(manager, ApprovalRequest, "department_tree", ["view"], name="mgr-approvals")
    give_role(finance, Receipt, "all", ["view", "add", "change", "approve"], name="finance-receipt")
    give_role(finance, Contract, "all", ["view", "change"], name="finance-contract")
    give_role(finance, Customer, "all", ["view"], name="finance-customer")
    with as_user(rep):
        split_plan(
            contract, actor=rep, count=3, first_due_on=timezone.localdate() - datetime.timedelta(days=10)
        )
    return contract


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_record_a_receipt_and_see_the_plan_and_the_aging_change(new_context, live_server, contract, locale):
    text = TEXT[locale]
    page = new_context(locale=locale).new_page()
    login(page, live_server, "finance", "pw-browser-finance")
    page.goto(f"{live_server.url}/receivables/aging/")
    expect(page.get_by_test_id("aging-totals")).to_contain_text(text["total_before"])
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    expect(page.get_by_test_id("installment-2").get_by_test_id("installment-status")).to_have_text(
        text["pending"]
    )
    page.get_by_test_id("plan-add-receipt").click()
    page.wait_for_url(f"{live_server.url}/receipts/add/*")
    page.locator("input[name=amount_amount]").fill("30000.00")
    page.locator("input[name=payer]").fill("上海华康医疗器械有限公司")
    with page.expect_navigation():
        page.locator("form button[type=submit].btn-primary").first.click()
    receipt = Receipt.objects.get()
    assert page.url == f"{live_server.url}/receipts/{receipt.pk}/"
    with page.expect_navigation():
        page.locator("#transition-submit").click()
    settle(page)
    assert Receipt.objects.get().status == "confirmed"
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    expect(page.get_by_test_id("installment-1").get_by_test_id("installment-status")).to_have_text(
        text["paid"]
    )
    page.goto(f"{live_server.url}/receivables/aging/")
    expect(page.get_by_test_id("aging-totals")).to_contain_text(text["total_after"])
    assert Installment.objects.get(sequence=1).status == "paid"


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_request_a_special_invoice_and_approve_it_on_a_phone(new_context, live_server, contract, locale):
    from guanxi.receivables.models import ReceivableSettings

    text = TEXT[locale]
    with as_system():
        ReceivableSettings.objects.create(pk=1, allow_invoice_before_payment=True)
        User.objects.filter(username__in=["rep", "manager1"]).update(language=text["lang"])
    phone = {"locale": locale, "viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}
    page = new_context(**phone).new_page()
    login(page, live_server, "rep", "pw-browser-rep")
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    page.get_by_test_id("plan-add-invoice").click()
    page.wait_for_url(f"{live_server.url}/invoice-requests/add/*")
    page.locator("select[name=kind]").select_option("special")
    page.locator("input[name=amount_amount]").fill("20000.00")
    page.locator("input[name=title]").fill("上海华康医疗器械有限公司")
    page.locator("input[name=tax_id]").fill("91310000MA1FL4KX3N")
    page.locator("input[name=bank_name]").fill("招商银行上海分行")
    page.locator("input[name=bank_account]").fill("121909876510001")
    page.locator("input[name=address]").fill("上海市浦东新区张江路 88 号")
    page.locator("input[name=phone]").fill("021-58880000")
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    with page.expect_navigation():
        page.locator("form button[type=submit].btn-primary").first.click()
    invoice = InvoiceRequest.objects.get()
    expect(page.locator("#transition-submit")).to_have_text(text["submit"])
    with page.expect_navigation():
        page.locator("#transition-submit").click()
    settle(page)
    from guanxi.approvals.models import ApprovalRequest

    request = ApprovalRequest.objects.get(object_id=invoice.pk, content_type__model="invoicerequest")
    manager = new_context(**phone).new_page()
    login(manager, live_server, "manager1", "pw-browser-manager")
    manager.goto(f"{live_server.url}/approvals/{request.pk}/")
    assert overflow_width(manager) <= PHONE_VIEWPORT["width"]
    with manager.expect_navigation():
        manager.locator("#approval-approve").click()
    expect(manager.locator(".messages .alert-success")).to_be_visible()
    manager.goto(f"{live_server.url}/invoice-requests/{invoice.pk}/")
    expect(manager.get_by_text(text["approved"], exact=True).first).to_be_visible()
    settle(manager)
    assert InvoiceRequest.objects.get().status == "approved"


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_a_manager_clicks_the_overdue_bar_of_the_dashboard_and_lands_on_those_installments(
    new_context, live_server, contract, locale
):
    """The plan: 第1期 ten days overdue, 第2期 and 第3期 not yet due. The 1–30 days bar is 第1期."""
    from guanxi.sales.models import Deal

    manager = User.objects.get(username="manager1")
    give_role(manager, Deal, "department_tree", ["view"], name="mgr-deal")
    page = new_context(locale=locale).new_page()
    login(page, live_server, "manager1", "pw-browser-manager")
    page.goto(f"{live_server.url}/dashboards/sales/")
    chart = page.locator("#dash-receivables_aging .chart")
    expect(chart).to_have_attribute("data-drawn", "1")
    x, y = page.evaluate(
        """(node) => {
            const chart = window.echarts.getInstanceByDom(node);
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [1, 0]);
            return [px, py - 4];
        }""",
        chart.element_handle(),
    )  # the "1–30 days" bar (index 1), where ECharts drew it, clicked like a person does
    with page.expect_navigation():
        chart.click(position={"x": x, "y": y})
    assert "/receivables/installments/?where=" in page.url
    expect(page.get_by_test_id("installment-count")).to_have_text("1")
    expect(page.get_by_test_id("installment-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("installment-table")).to_contain_text(contract.number)
    settle(page)


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_the_aging_report_and_the_overdue_list_read_on_a_phone(new_context, live_server, contract, locale):
    """At 375 px each row is a card: every bucket and every installment field is on screen with
    its label, and nothing scrolls sideways (the tables used to show their first column only)."""
    labels = {
        LOCALE_ZH: ("逾期 1–30 天", "合计", "未回款", "逾期"),
        LOCALE_EN: ("1–30 days", "Total", "Remaining", "Overdue"),
    }[locale]
    phone = {"locale": locale, "viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}
    page = new_context(**phone).new_page()
    login(page, live_server, "finance", "pw-browser-finance")
    page.goto(f"{live_server.url}/receivables/aging/")
    row = page.get_by_test_id("aging-table").locator("tbody tr").first
    expect(row.locator("th")).to_have_text("上海华康医疗器械有限公司")
    overdue = row.locator(f"td[data-label='{labels[0]}']")
    expect(overdue).to_be_in_viewport()
    expect(overdue).to_contain_text("30,000.00")
    expect(row.locator(f"td[data-label='{labels[1]}']")).to_be_in_viewport()
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"test-results/aging-phone-{locale}.png", full_page=True)

    page.goto(f"{live_server.url}/receivables/overdue/")
    card = page.get_by_test_id("installment-table").locator("tbody tr")
    expect(card).to_have_count(1)
    remaining = card.locator(f"td[data-label='{labels[2]}']")
    expect(remaining).to_be_in_viewport()
    expect(remaining).to_contain_text("30,000.00")  # money as money: currency and separators
    expect(card).to_contain_text(labels[3])
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"test-results/overdue-phone-{locale}.png", full_page=True)


REVERSAL = {
    LOCALE_ZH: {"reversed": "已冲销", "done": "冲销：已完成", "reverse": "冲销", "phone": False},
    LOCALE_EN: {"reversed": "Reversed", "done": "Reverse: done", "reverse": "Reverse", "phone": True},
}


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_finance_reverses_a_receipt_and_the_installment_and_the_aging_follow(
    new_context, live_server, contract, locale
):
    """第2期 (not yet due) was paid by a 30,000 receipt recorded by mistake: finance reverses it
    from the receipt's page (a dialog asks why; in English on a phone) and 第2期 is 待回款 again,
    the aging report's total back to the whole contract."""
    from guanxi.framework.statemachine import transition
    from guanxi.framework.write import save_object
    from guanxi.receivables.services import AllocationInput, allocate_receipt

    text, words = TEXT[locale], REVERSAL[locale]
    finance = User.objects.get(username="finance")
    give_role(finance, Receipt, "all", ["view", "change", "reverse"], name="finance-reverse")
    second = Installment.objects.get(sequence=2)
    with as_user(finance):
        receipt = Receipt(contract=contract, amount_amount=Decimal("30000.00"), amount_currency="CNY")
        receipt.full_clean()
        save_object(receipt, actor=finance)
        allocate_receipt(receipt, [AllocationInput(second, "30000.00")], actor=finance)
        transition(receipt, "submit", actor=finance)
    assert Installment.objects.get(sequence=2).status == "paid"
    options: dict = {"locale": locale}
    if words["phone"]:
        options |= {"viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}
    page = new_context(**options).new_page()
    login(page, live_server, "finance", "pw-browser-finance")
    page.goto(f"{live_server.url}/receivables/aging/")
    expect(page.get_by_test_id("aging-totals")).to_contain_text(text["total_after"])

    page.goto(f"{live_server.url}/receipts/{receipt.pk}/")
    dialog = page.locator("#transition-reverse-dialog")
    expect(dialog).to_be_hidden()
    page.locator("#transition-reverse").click()
    expect(dialog).to_be_visible()
    reason = dialog.locator("textarea[name=reason]")
    expect(reason).to_have_attribute("required", "")
    page.screenshot(path=f"test-results/reversal-dialog-{locale}.png", full_page=True)
    if words["phone"]:
        assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    dialog.locator("#transition-reverse-confirm").click()  # no reason: the browser keeps the dialog
    expect(dialog).to_be_visible()
    assert Receipt.objects.get().status == "confirmed"
    reason.fill("银行退票：客户转账被退回")
    with page.expect_navigation():
        dialog.locator("#transition-reverse-confirm").click()
    expect(page.locator(".messages .alert-success")).to_contain_text(words["done"])
    expect(page.get_by_text(words["reversed"], exact=True).first).to_be_visible()
    expect(page.get_by_text("银行退票：客户转账被退回").first).to_be_visible()
    expect(page.locator("#transition-reverse")).to_have_count(0)
    page.screenshot(path=f"test-results/reversal-done-{locale}.png", full_page=True)
    settle(page)
    assert Receipt.objects.get().status == "reversed"

    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    expect(page.get_by_test_id("installment-2").get_by_test_id("installment-status")).to_have_text(
        text["pending"]
    )
    page.goto(f"{live_server.url}/receivables/aging/")
    expect(page.get_by_test_id("aging-totals")).to_contain_text(text["total_before"])
    page.goto(f"{live_server.url}/receipts/?status=reversed")
    expect(page.get_by_text(receipt.number).first).to_be_visible()
    settle(page)


# The distinct lines an element's text is laid out on (1: it did not wrap).
TEXT_LINES = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
  return new Set(boxes.map((r) => Math.round(r.bottom))).size;
}"""
# Whether two elements' boxes overlap.
OVERLAP = """([a, b]) => {
  const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
  return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
}"""


@pytest.mark.parametrize("locale", [LOCALE_ZH, LOCALE_EN])
def test_days_late_and_the_plan_header_stay_whole_on_a_phone(new_context, live_server, contract, locale):
    """At 375 px "逾期 174 天" on the installments list wrapped onto two lines, and the contract's
    "回款计划与回款" heading was squeezed into a column beside its four buttons: the badge keeps to
    one line and the card header puts its buttons under the title."""
    rep = User.objects.get(username="rep")
    with as_user(rep):
        first = timezone.localdate() - datetime.timedelta(days=174)
        split_plan(contract, actor=rep, count=3, first_due_on=first)
    late, title = {
        LOCALE_ZH: ("逾期 174 天", "回款计划与回款"),
        LOCALE_EN: ("174 days late", "Payment plan and receipts"),
    }[locale]
    phone = {"locale": locale, "viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}
    page = new_context(**phone).new_page()
    login(page, live_server, "rep", "pw-browser-rep")

    page.goto(f"{live_server.url}/receivables/installments/")
    badge = page.get_by_test_id("installment-table").get_by_text(late, exact=True)
    expect(badge).to_be_in_viewport()
    assert badge.evaluate(TEXT_LINES) == 1
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"test-results/days-late-phone-{locale}.png", full_page=True)

    page.goto(f"{live_server.url}{contract.get_absolute_url()}")
    card = page.locator("#contract-plan")
    # in the middle of the screen: scrolled to the top, the sticky top bar would cover it
    card.locator(".card-header").evaluate("(el) => el.scrollIntoView({block: 'center'})")
    heading = card.locator(".card-header .card-title")
    expect(heading).to_have_text(title)
    assert heading.evaluate(TEXT_LINES) == 1
    buttons = card.locator(".card-header .btn")
    assert buttons.count() >= 3  # add, split, record a receipt, request an invoice
    for index in range(buttons.count()):
        button = buttons.nth(index)
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
        assert not page.evaluate(OVERLAP, [heading.element_handle(), button.element_handle()])
        assert button.evaluate(TEXT_LINES) == 1
    assert overflow_width(page) <= PHONE_VIEWPORT["width"]
    page.screenshot(path=f"test-results/plan-header-phone-{locale}.png")
    settle(page)
