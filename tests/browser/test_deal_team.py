"""A rep manages her deal's team (协同人) on a phone: the deal page has one team card (the record
team); she adds a colleague who may edit, makes them read-only, and removes them — in Chinese and
in English, without the page getting wider than the phone."""

from __future__ import annotations

import pytest
from django.utils import translation

from guanxi.framework.testing.fixtures import as_system
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_deal, make_pipeline
from guanxi.users.models import Department
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, overflow_width, pick, settle
from tests.browser.test_deal_board import _rep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _team(deal: Deal) -> list[tuple[str, str]]:
    return list(Deal.objects.get(pk=deal.pk).team.values_list("user__username", "access"))


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_rep_adds_changes_and_removes_a_deal_team_member_on_a_phone(
    new_context, live_server, make_user, locale, language
):
    rep, customer = _rep(make_user)
    with as_system():
        west = Department.objects.create(name="华西销售部", name_en="West Sales")
    make_user("chenjing", name="陈静", department=west)
    deal = make_deal(rep, customer, make_pipeline(), name="CT 设备采购")
    page = new_context(locale=locale, viewport={"width": 375, "height": 800}).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    with translation.override(language):
        title, can_edit, can_view = (
            translation.gettext(text) for text in ("Deal team", "Can edit", "Can view")
        )
    assert page.locator("#team-panel").count() == 1 and page.locator("#deal-team").count() == 0
    card = page.locator("#team-panel")
    assert title in card.locator(".card-title").inner_text()
    assert overflow_width(page) <= 375

    pick(card, "user", "陈静", "陈静")
    card.locator("select[name=access]").select_option("write")
    card.locator("#team-add-form button[type=submit]").click()
    member = page.locator('#team-panel .team-member[data-user="chenjing"]')
    member.filter(has_text=can_edit).wait_for()
    settle(page)
    assert _team(deal) == [("chenjing", "write")]
    assert overflow_width(page) <= 375
    page.screenshot(path=f"/tmp/deal-team-{language}.png", full_page=True)  # noqa: S108

    card = page.locator("#team-panel")
    pick(card, "user", "陈静", "陈静")
    card.locator("select[name=access]").select_option("read")
    card.locator("#team-add-form button[type=submit]").click()
    member.filter(has_text=can_view).wait_for()
    settle(page)
    assert _team(deal) == [("chenjing", "read")]

    member.locator("button[type=submit]").click()
    member.wait_for(state="detached")
    settle(page)
    assert _team(deal) == []
