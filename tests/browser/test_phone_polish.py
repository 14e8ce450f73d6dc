"""QA of the demo at 375 px (issue 10 leftovers): a page's filter form never touches the card of
results under it (the recycle bin and the duplicates queue, whose 筛选 button sat on the empty
state), and a manager's phone cards of deals say whose each deal is — in Chinese and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.sales.tests.conftest import make_deal, make_pipeline
from guanxi.users.models import Department, Role
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, overflow_width, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The gap between a page's filter form and the card after it (0 when they touch).
GAP = """(selector) => {
  const form = document.querySelector(selector);
  return form.nextElementSibling.getBoundingClientRect().top - form.getBoundingClientRect().bottom;
}"""


def ours(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_filter_forms_stand_apart_from_the_results_on_a_phone(
    new_context, live_server, make_user, locale, language
):
    make_user("boss", is_superuser=True, is_staff=True, language=language)
    page = new_context(
        locale=locale, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ).new_page()
    login(page, live_server, "boss")
    for path, form, empty in (
        ("/settings/recycle-bin/", "#recyclebin-filters", "The recycle bin is empty."),
        ("/settings/duplicates/", "#dedup-filters", "No duplicate candidates. Run a scan to look for them."),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#main .empty-state")).to_contain_text(ours(language, empty))
        expect(page.locator(form).get_by_role("button", name=ours(language, "Filter"))).to_be_visible()
        assert page.evaluate(GAP, form) >= 12, path
        assert overflow_width(page) <= 375, path
        page.screenshot(path=f"/tmp/phone-polish-{language}-{path.strip('/').replace('/', '-')}.png")  # noqa: S108
        settle(page)


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_a_managers_deal_cards_name_the_owner(new_context, live_server, make_user, locale, language):
    """The deal list's phone cards showed customer, stage and amount: a manager, who sees the
    team's deals, could not tell whose each one was."""
    with as_system():
        east = Department.objects.create(name="华东销售一部", name_en="East Sales 1")
    manager = make_user("zhangwei", name="张伟", department=east, language=language)
    reps = [
        make_user(username, name=name, department=east, manager=manager)
        for username, name in (("wangfang", "王芳"), ("lina", "李娜"))
    ]
    with as_system():
        manager.roles.add(Role.objects.get(code="sales_manager"))
        for rep in reps:
            rep.roles.add(Role.objects.get(code="sales_rep"))
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=reps[0])
    pipeline = make_pipeline()
    for rep in reps:
        make_deal(rep, customer, pipeline, name=f"{rep.name}的项目", amount_amount=Decimal("50000"))
    page = new_context(
        locale=locale, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ).new_page()
    login(page, live_server, "zhangwei")
    page.goto(f"{live_server.url}/sales/deals/")
    owner = ours(language, "Owner")
    for rep in reps:
        card = page.locator("#list-results tbody tr").filter(has_text=f"{rep.name}的项目")
        cell = card.locator(f'td[data-label="{owner}"]')
        expect(cell).to_be_visible()
        expect(cell).to_have_text(rep.name)
        fields = card.locator("td.cell-card:visible")
        assert fields.count() <= 4  # a card stays short: its title and at most four fields
    assert overflow_width(page) <= 375
    page.screenshot(path=f"/tmp/phone-polish-{language}-deal-cards.png")  # noqa: S108
    settle(page)


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_a_managers_task_cards_name_the_owner(new_context, live_server, make_user, locale, language):
    """The task list's phone cards showed status, due, customer and priority — four fields and no
    owner: a manager could not tell whose each task was. The priority now rides in the status
    cell, so the card reads title, due, status and priority, customer and owner in four fields."""
    import datetime

    from django.utils import timezone

    from guanxi.activities.models import Task

    with as_system():
        east = Department.objects.create(name="华东销售一部", name_en="East Sales 1")
    manager = make_user("zhangwei", name="张伟", department=east, language=language)
    reps = [
        make_user(username, name=name, department=east, manager=manager)
        for username, name in (("wangfang", "王芳"), ("lina", "李娜"))
    ]
    with as_system():
        manager.roles.add(Role.objects.get(code="sales_manager"))
        for rep in reps:
            rep.roles.add(Role.objects.get(code="sales_rep"))
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", owner=reps[0])
        for rep in reps:
            Task.objects.create(
                title=f"{rep.name}：回访报价",
                owner=rep,
                customer=customer,
                priority="high",
                due_at=timezone.now() - datetime.timedelta(days=2),
            )
    page = new_context(
        locale=locale, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ).new_page()
    login(page, live_server, "zhangwei")
    page.goto(f"{live_server.url}/tasks/")
    for rep in reps:
        card = page.locator("#list-results tbody tr").filter(has_text=f"{rep.name}：回访报价")
        owner = card.locator(f'td[data-label="{ours(language, "Owner")}"]')
        expect(owner).to_be_visible()
        expect(owner).to_have_text(rep.name)
        status = card.locator(f'td[data-label="{ours(language, "status").capitalize()}"]')
        expect(status.get_by_text(ours(language, "Overdue"), exact=True)).to_be_visible()
        expect(status.get_by_text(ours(language, "High"), exact=True)).to_be_visible()
        expect(card.locator(f'td[data-label="{ours(language, "due").capitalize()}"]')).to_be_visible()
        expect(card.locator("td.cell-card:visible").filter(has_text=customer.name)).to_be_visible()
        assert card.locator("td.cell-card:visible").count() <= 4  # a card stays short
    assert overflow_width(page) <= 375
    page.screenshot(path=f"/tmp/phone-polish-{language}-task-cards.png")  # noqa: S108
    settle(page)
