"""A personal API token made in the settings page works against the API until it is revoked."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.utils import translation

from guanxi.core.models import Tag
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import APIToken
from tests.browser.conftest import login, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_get(url: str, key: str) -> tuple[int, dict]:
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http URL of the test server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_create_copy_use_and_revoke_a_read_token(new_context, live_server, admin_user):
    with as_system():
        Tag.objects.create(name="重点客户", slug="zhong-dian-ke-hu", color="red")
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    login(page, live_server, "admin")

    # Account menu → API tokens
    page.locator(".user-btn").click()
    with page.expect_navigation():
        page.locator(".dropdown-menu a[href='/settings/tokens/']").click()
    assert page.locator(".tabs a.tab[href='/settings/tokens/']").is_visible()

    form = page.locator("form[action='/settings/tokens/new/']")
    form.locator("input[name=name]").fill("ERP 同步")
    assert form.locator("input[name=scopes][value=read]").is_checked()  # read is the default
    assert not form.locator("input[name=scopes][value=write]").is_checked()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    key = page.locator("#new-token-key").inner_text()
    assert key.startswith("gx_")
    settle(page)
    token = APIToken.objects.get(user=admin_user)
    assert (token.name, token.scopes) == ("ERP 同步", ["read"])
    assert key.startswith(token.key_prefix)

    page.locator("button[data-copy]").click()
    page.locator("#toasts .toast").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key

    # Shown once: the list shows only the prefix.
    with page.expect_navigation():
        page.locator(".card-footer a.btn-primary[href='/settings/tokens/']").click()
    row = page.locator(f"#token-{token.pk}")
    assert row.locator("td.mono").inner_text() == f"{token.key_prefix}…"
    assert key not in page.content()

    url = f"{live_server.url}/api/v1/core/tags/"
    status, body = api_get(url, key)
    assert status == 200
    assert [tag["display"] for tag in body["results"]] == ["重点客户"]

    with page.expect_navigation():
        row.locator(f"a[href='/settings/tokens/{token.pk}/revoke/']").click()
    with page.expect_navigation():
        page.locator("form button.btn-danger[type=submit]").click()
    assert page.url == f"{live_server.url}/settings/tokens/"
    with translation.override("zh-hans"):
        revoked = translation.gettext("The token “%(name)s” was revoked.") % {"name": "ERP 同步"}
    assert page.locator(".messages .alert-success").inner_text() == revoked
    assert page.locator(f"#token-{token.pk}").count() == 0

    status, _body = api_get(url, key)
    assert status == 401


def test_api_docs_render_under_the_strict_policy(page, live_server, admin_user, console_errors):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .information-container .title").wait_for()
    assert page.locator(".swagger-ui .information-container .title").inner_text().startswith("Guanxi CRM API")
    # Operations come from our schema: filtered by their tag, the tag endpoints are listed.
    page.locator(".swagger-ui input.operation-filter-input").fill("core")
    page.locator(".swagger-ui .opblock-summary-path[data-path='/api/v1/core/tags/']").first.wait_for()
    settle(page)
    assert console_errors == []
