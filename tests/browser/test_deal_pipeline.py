"""A rep moves a deal to another pipeline from its page on a phone: the button, the grouped choice
of open stages, the confirmation, and the deal on the new board — in Chinese and in English."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from guanxi.framework.testing.fixtures import as_system
from guanxi.sales.models import Deal, Pipeline, StageChange
from guanxi.sales.tests.conftest import make_deal, make_pipeline, stage
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login, overflow_width
from tests.browser.test_deal_board import _rep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_rep_moves_a_deal_to_another_pipeline_on_a_phone(
    new_context, live_server, make_user, locale, language
):
    rep, customer = _rep(make_user)
    standard = make_pipeline()
    renewals = make_pipeline("续约流程", is_default=False)
    with as_system():
        Pipeline.objects.filter(pk=renewals.pk).update(name_en="Renewals")
    deal = make_deal(rep, customer, standard, name="CT 设备采购")
    target = stage(renewals, "Negotiation")
    page = new_context(locale=locale, viewport={"width": 375, "height": 800}).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    page.locator("#deal-change-pipeline").click()
    page.wait_for_url(f"**/sales/deals/{deal.pk}/pipeline/")
    with translation.override(language):
        title = translation.gettext("Change pipeline")
    assert page.locator("h1.page-title").inner_text() == title
    group = "续约流程" if language == "zh-hans" else "Renewals"
    assert page.locator(f'#id_stage optgroup[label="{group}"] option').count() == 4  # the open stages
    assert overflow_width(page) <= 375
    page.screenshot(path=f"/tmp/deal-pipeline-{language}.png", full_page=True)  # noqa: S108
    page.locator("#id_stage").select_option(str(target.pk))
    page.locator('#deal-pipeline-form button[type="submit"]').click()
    page.wait_for_url(f"**/sales/deals/{deal.pk}/")
    page.locator(".messages .alert-success").filter(has_text=group).wait_for()
    deal = Deal.objects.get(pk=deal.pk)
    assert (deal.pipeline_id, deal.stage_id) == (renewals.pk, target.pk)
    assert StageChange.objects.filter(deal=deal, to_stage=target).exists()
    page.goto(f"{live_server.url}/sales/pipelines/{renewals.pk}/board/")
    page.locator(f"#stage-{target.pk} #deal-{deal.pk}").wait_for()


HISTORY = {
    "zh-hans": {"from": "原阶段", "to": "新阶段", "days": "3.0 天"},
    "en": {"from": "From", "to": "To", "days": "3.0 days"},
}


@pytest.mark.parametrize(("locale", "language"), [(LOCALE_ZH, "zh-hans"), (LOCALE_EN, "en")])
def test_the_stage_history_names_the_stages_and_counts_days_on_a_phone(
    new_context, live_server, make_user, locale, language
):
    """The history's "From" and "To" read 开始时间 / 结束时间 (start and end *time*) above stage
    names in Chinese, and the time in the stage was a bare "3.0"."""
    import datetime

    from django.utils import timezone

    from guanxi.framework.testing.fixtures import as_user
    from guanxi.sales.services import move_deal

    rep, customer = _rep(make_user)
    pipeline = make_pipeline()
    deal = make_deal(rep, customer, pipeline, name="CT 设备采购")
    with as_system():  # the deal was opened three days ago
        Deal.objects.filter(pk=deal.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    deal = Deal.objects.get(pk=deal.pk)
    with as_user(rep):
        move_deal(deal, stage(pipeline, "Needs analysis"), actor=rep)
    text = HISTORY[language]
    page = new_context(locale=locale, viewport={"width": 375, "height": 800}).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    row = page.locator("#deal-stage-history tbody tr").first
    qualification, needs = (
        ("初步接洽", "需求确认") if language == "zh-hans" else ("Qualification", "Needs analysis")
    )
    expect(row.locator(f'td[data-label="{text["from"]}"]')).to_have_text(qualification)
    expect(row.locator(f'td[data-label="{text["to"]}"]')).to_have_text(needs)
    expect(row.locator("td.cell-card").nth(2)).to_have_text(text["days"])
    assert overflow_width(page) <= 375
