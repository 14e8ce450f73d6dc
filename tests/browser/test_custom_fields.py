"""An administrator defines a custom field on tags in the UI and uses it in form, list, filter and history."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import CustomField, Tag
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_single_choice_field_on_tags_end_to_end(page, live_server, admin_user):
    with as_system():
        Tag.objects.create(name="渠道伙伴", slug="qu-dao-huo-ban", color="green")
    login(page, live_server, "admin")

    # Settings → Custom fields → New
    page.locator("#sidebar a.nav-link[href='/settings/custom-fields/']").click()
    page.wait_for_url(f"{live_server.url}/settings/custom-fields/")
    page.locator(".page-actions a.btn-primary[href='/settings/custom-fields/add/']").click()
    page.wait_for_url(f"{live_server.url}/settings/custom-fields/add/")
    form = page.locator("#customfield-form")
    tag_type = ContentType.objects.get_for_model(Tag)
    form.locator("select[name=content_type]").select_option(str(tag_type.pk))
    form.locator("input[name=name]").fill("level")
    form.locator("input[name=label]").fill("客户等级")
    form.locator("input[name=label_en]").fill("Customer level")
    form.locator("select[name=type]").select_option("select")
    form.locator("textarea[name=choices_text]").fill("gold | 金牌 | Gold\nsilver | 银牌 | Silver")
    form.locator("input[name=show_in_table]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/settings/custom-fields/\d+/$"))
    settle(page)
    cf = CustomField.objects.get(name="level")
    assert (cf.content_type, cf.type, cf.show_in_table, cf.filterable) == (tag_type, "select", True, True)
    assert cf.choices == [
        {"value": "gold", "label": "金牌", "label_en": "Gold"},
        {"value": "silver", "label": "银牌", "label_en": "Silver"},
    ]

    # A tag filled in with the new field.
    page.goto(f"{live_server.url}/tags/add/")
    form = page.locator("#tag-form")
    form.locator("input[name=name]").fill("重点客户")
    form.locator("select[name=color]").select_option("red")
    form.locator("select[name=cf_level]").select_option("gold")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tags/\d+/$"))
    settle(page)
    tag = Tag.objects.get(name="重点客户")
    assert tag.custom_field_data == {"level": "gold"}
    assert page.url == f"{live_server.url}/tags/{tag.pk}/"

    # The list shows the field as a column, labelled, with the choice's label.
    page.locator("#sidebar a.nav-link[href='/tags/']").click()
    page.wait_for_url(f"{live_server.url}/tags/")
    headers = page.locator("#list-results thead th").all_inner_texts()
    assert "客户等级" in [h.strip() for h in headers]
    level_column = [h.strip() for h in headers].index("客户等级")
    rows = page.locator("#list-results tbody tr")
    assert rows.count() == 2
    gold_row = rows.filter(has_text="重点客户")
    assert gold_row.locator("td").nth(level_column).inner_text().strip() == "金牌"
    assert rows.filter(has_text="渠道伙伴").locator("td").nth(level_column).inner_text().strip() in ("", "—")

    # Filters → 客户等级 = 金牌: htmx swaps the results and pushes the filter into the URL.
    page.locator("details.filter-toggle > summary").click()
    level_filter = page.locator("#filters input[name=cf_level][value=gold]")
    assert level_filter.is_visible()
    results = page.locator("#list-results")
    results.evaluate("el => el.dataset.before = 'swap'")  # gone once htmx replaces the element
    level_filter.check()
    page.wait_for_url("**/tags/?*cf_level=gold*")
    page.wait_for_function("() => !document.querySelector('#list-results[data-before]')")
    assert rows.count() == 1
    assert page.locator("#list-results").get_by_text("渠道伙伴").count() == 0
    assert "cf_level=gold" in page.url

    # The tag's page: the field's value, and its history with readable labels.
    page.locator("#list-results tbody a", has_text="重点客户").click()
    page.wait_for_url(f"{live_server.url}/tags/{tag.pk}/")
    assert page.locator("#tag-custom-fields dd").inner_text() == "金牌"
    page.locator(".tabs .tab[data-tab=history]").click()
    history = page.locator("#tag-tab #tag-history")
    history.wait_for()
    entry = history.locator(".history-entry").first
    diff = {
        row.locator("td").first.inner_text(): row.locator("td").nth(1).inner_text()
        for row in entry.locator("tbody tr").all()
    }
    assert diff["客户等级"] == "金牌"
    assert diff["颜色"] == "红色"
    assert page.locator(".tabs .tab[data-tab=history]").get_attribute("aria-selected") == "true"

    # Editing the value: the newest history entry shows both choices by their labels.
    page.locator(f".page-actions a[href='/tags/{tag.pk}/edit/']").click()
    page.wait_for_url(f"{live_server.url}/tags/{tag.pk}/edit/")
    page.locator("#tag-form select[name=cf_level]").select_option("silver")
    page.locator("#tag-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/tags/{tag.pk}/")
    assert page.locator("#tag-custom-fields dd").inner_text() == "银牌"
    page.locator(".tabs .tab[data-tab=history]").click()
    update = page.locator("#tag-history .history-entry").first
    update.locator(".badge-blue").wait_for()  # the update entry, newest first
    cells = update.locator("tbody tr td").all_inner_texts()
    assert cells == ["客户等级", "金牌", "银牌"]
    assert page.locator("#tag-history .history-entry").count() == 2
    settle(page)
