"""Transitions that ask for values open a dialog: the deal page's header held two rows of selects
and note boxes beside Won and Lost (wrapped over three lines at 1280 px, six at 375 px). Now a
button per transition; Won opens a dialog with the reason and the note — in both languages, at
phone width and on a desktop."""

from __future__ import annotations

import pytest
from django.utils import translation

from guanxi.sales.models import Deal
from guanxi.sales.models.deal import stage_transition_name
from guanxi.sales.tests.conftest import make_deal, make_pipeline, stage
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, PHONE_VIEWPORT, login, overflow_width
from tests.browser.test_deal_board import _rep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "language", "viewport"),
    [
        (LOCALE_ZH, "zh-hans", PHONE_VIEWPORT),
        (LOCALE_EN, "en", PHONE_VIEWPORT),
        (LOCALE_ZH, "zh-hans", {"width": 1280, "height": 800}),
    ],
)
def test_won_from_the_deal_page_asks_its_reason_in_a_dialog(
    new_context, live_server, make_user, locale, language, viewport
):
    rep, customer = _rep(make_user)
    pipeline = make_pipeline()
    deal = make_deal(rep, customer, pipeline, name="CT 设备采购")
    won = stage(pipeline, "Won")
    name = stage_transition_name(won)
    page = new_context(locale=locale, viewport=viewport).new_page()
    login(page, live_server, "wangfang")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    # no input of any transition stands in the page: only buttons until one is chosen
    controls = page.locator("form[id^='transition-'] select, form[id^='transition-'] textarea")
    assert controls.count() > 0
    assert not any(controls.nth(i).is_visible() for i in range(controls.count()))
    assert overflow_width(page) <= viewport["width"]
    page.screenshot(path=f"/tmp/deal-actions-{language}-{viewport['width']}.png")  # noqa: S108
    page.locator(f"#transition-{name}").click()
    dialog = page.locator(f"#transition-{name}-dialog")
    dialog.wait_for(state="visible")
    with translation.override(language):
        label = translation.gettext("Why was it won?")
    assert dialog.locator(f"label[for='transition-{name}-reason']").inner_text().startswith(label)
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    page.screenshot(path=f"/tmp/deal-won-dialog-{language}-{viewport['width']}.png")  # noqa: S108
    dialog.locator("select[name=reason]").select_option("price")
    dialog.locator("textarea[name=note]").fill("最低价")
    with page.expect_navigation():
        dialog.locator(f"#transition-{name}-confirm").click()
    page.locator(".messages .alert-success").wait_for()
    deal = Deal.objects.get(pk=deal.pk)
    assert (deal.stage_id, deal.close_reason, deal.close_note) == (won.pk, "price", "最低价")
    assert deal.closed_at is not None
