"""The Tags list as a person uses it: filter, save the view, come back to it; bulk edit."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from guanxi.core.models import SavedView, Tag
from guanxi.framework.testing.fixtures import as_system
from tests.browser.conftest import login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tags(db):
    with as_system():
        return {
            name: Tag.objects.create(name=name, slug=slug, color=color)
            for name, slug, color in [
                ("重点客户", "zhong-dian-ke-hu", "red"),
                ("黑名单", "hei-ming-dan", "red"),
                ("渠道伙伴", "qu-dao-huo-ban", "green"),
                ("潜在客户", "qian-zai-ke-hu", "blue"),
            ]
        }


def non_empty(query: str) -> dict[str, list[str]]:
    """The parameters of a query string that have a value, without the list's display settings."""
    return {k: v for k, v in parse_qs(query).items() if k not in ("columns", "per_page")}


def listed_names(page) -> list[str]:
    return page.locator("#list-results tbody tr td:nth-child(2)").all_inner_texts()


def wait_for_results_swap(page, action) -> None:
    """Run ``action`` and wait until htmx has replaced the list results."""
    page.locator("#list-results").evaluate("el => el.dataset.stale = '1'")
    action()
    page.wait_for_function("() => !document.querySelector('#list-results[data-stale]')")


def test_save_a_filtered_view_and_pick_it_again(page, live_server, admin_user, tags):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/tags/")
    assert sorted(listed_names(page)) == sorted(tags)

    page.locator("details.filter-toggle > summary").click()
    wait_for_results_swap(page, lambda: page.locator("#filters input[name=color][value=red]").check())
    assert sorted(listed_names(page)) == ["重点客户", "黑名单"]
    assert "color=red" in page.url
    # The page header is outside the swapped results; its export links follow the filter too.
    export = urlsplit(page.locator("#export-links a").first.get_attribute("href"))
    assert (export.path, non_empty(export.query)) == ("/tags/", {"color": ["red"], "export": ["xlsx"]})

    # Views → save the current (filtered) list as 红色标签.
    views_menu = page.locator(".page-actions .dropdown").filter(has=page.locator("#saveview-name"))
    views_menu.locator("button").first.click()
    page.locator("#saveview-name").fill("红色标签")
    with page.expect_navigation():
        views_menu.locator("form[action$='/views/'] button[type=submit]").click()
    settle(page)
    saved = SavedView.objects.get(name="红色标签")
    assert saved.owner == admin_user
    assert saved.condition["all"] == [{"field": "color", "op": "in", "value": ["red"]}]
    assert page.url == f"{live_server.url}/tags/?view={saved.pk}"
    assert page.locator("h1.page-title").inner_text() == "红色标签"
    assert page.locator(".messages .alert-success").inner_text() == "已保存视图“红色标签”。"
    assert sorted(listed_names(page)) == ["重点客户", "黑名单"]

    # Reset: all tags again.
    with page.expect_navigation():
        page.locator("#filters a.btn-ghost[href='/tags/']").click()
    assert page.url == f"{live_server.url}/tags/"
    assert sorted(listed_names(page)) == sorted(tags)

    # Pick the saved view from the dropdown: filtered again.
    views_menu.locator("button").first.click()
    with page.expect_navigation():
        views_menu.locator(f".dropdown-menu a[href='/tags/?view={saved.pk}']").click()
    assert page.locator("h1.page-title").inner_text() == "红色标签"
    assert sorted(listed_names(page)) == ["重点客户", "黑名单"]
    assert page.locator("#filters input[name=color][value=red]").is_checked()


def test_bulk_edit_the_colour_of_two_tags(page, live_server, admin_user, tags):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/tags/")
    for name in ("渠道伙伴", "潜在客户"):
        page.locator("#list-results tbody tr", has_text=name).locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.locator("#tag-bulk button[formaction$='/bulk-edit/']").click()
    assert page.url == f"{live_server.url}/tags/bulk-edit/"
    assert sorted(page.locator("details ul li").all_text_contents()) == ["渠道伙伴", "潜在客户"]

    page.locator("form select[name=color]").select_option("purple")
    with page.expect_navigation():
        page.locator("form button[name=_apply]").click()
    assert page.url == f"{live_server.url}/tags/"
    success = page.locator(".messages .alert-success")
    with translation.override("zh-hans"):
        assert success.inner_text() == translation.gettext("Updated %(count)d records.") % {"count": 2}
    purple_rows = page.locator("#list-results tbody tr").filter(has=page.locator(".badge-purple"))
    assert sorted(purple_rows.locator("td:nth-child(2)").all_inner_texts()) == ["渠道伙伴", "潜在客户"]
    settle(page)
    colours = dict(Tag.objects.values_list("name", "color"))
    assert colours == {"重点客户": "red", "黑名单": "red", "渠道伙伴": "purple", "潜在客户": "purple"}
