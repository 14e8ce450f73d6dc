"""Shared set-up of the browser tests: contexts that watch for console errors, sign-in, phone width.

Every browser context a test opens (the default ``page`` and any ``new_context(...)``) reports
console errors, uncaught page errors and Content-Security-Policy violations into
``console_errors``; a test that leaves any behind fails. The strict CSP turns a stray inline
script or style into exactly such an error, so these tests double as a CSP check of every page
they visit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from guanxi.framework.testing.fixtures import PASSWORD

# The default browser locale: Chinese, the product's default language. Tests about English open
# a context with locale="en-US". The context's locale sets navigator.language, Intl and
# Accept-Language, but not how Chromium draws a native <input type="date">: that follows the
# browser process's UI language (LANGUAGE on Linux) and needs its zh-CN language pack
# (Debian's chromium-l10n, not installed on the test machines), so screenshots of Chinese pages
# show mm/dd/yyyy where a Chinese user's Chromium shows 年/月/日 (checked: a zh-CN context on
# Debian's Chromium 156 still draws mm/dd/yyyy; the same browser launched with LANGUAGE=zh_CN and
# zh-CN.pak draws 年/月/日). The field's value is ISO (YYYY-MM-DD) whatever it shows.
LOCALE_ZH = "zh-CN"
LOCALE_EN = "en-US"
PHONE_VIEWPORT = {"width": 375, "height": 812}
# Long enough for a cold page on a busy 2-core CI machine, short enough that a wrong selector
# fails in seconds instead of Playwright's 30.
DEFAULT_TIMEOUT_MS = 10_000

# Violations also reach the console, but the event names the directive, which the console text of
# some Chromium versions omits. Init scripts run outside the page's CSP.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors, page errors and CSP violations seen by every context of this test."""
    return []


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], console_errors: list[str]
) -> Callable[..., BrowserContext]:
    """pytest-playwright's ``new_context``, Chinese by default, with every context watched for errors."""

    def watched(**kwargs: Any) -> BrowserContext:
        context = new_context(**{"locale": LOCALE_ZH, "timezone_id": "Asia/Shanghai", **kwargs})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

        context.on("console", on_console)
        context.on("weberror", lambda error: console_errors.append(f"page error: {error.error}"))
        return context

    return watched


@pytest.fixture(autouse=True)
def _no_console_errors(console_errors: list[str]) -> Iterator[None]:
    """Fail any browser test whose pages logged an error (CSP violations included)."""
    yield
    assert console_errors == [], "the browser logged errors:\n" + "\n".join(console_errors)


def login(page: Page, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page (the language switcher's buttons come first in the page,
    so the form is submitted with Enter in the password field)."""
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form[action*='login']")
    form.locator("input[name=username]").fill(username)
    password_input = form.locator("input[name=password]")
    password_input.fill(password)
    with page.expect_navigation():
        password_input.press("Enter")


@pytest.fixture
def phone(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a 375×812 phone-sized context (touch, mobile viewport rules)."""
    context = new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)
    return context.new_page()


def overflow_width(page: Page) -> int:
    """How wide the document is; wider than the viewport means a horizontal scroll bar."""
    return page.evaluate("document.documentElement.scrollWidth")


def settle(page: Page) -> None:
    """Wait until the page has no request in flight before the test touches the database.

    On SQLite the live server thread shares the test's in-memory database connection, so an ORM
    query from the test while the server is still answering (an htmx panel loading after the
    page) fails with "database table is locked". A page that polls (an unfinished job) never
    goes idle: wait for a specific element there instead.
    """
    page.wait_for_load_state("networkidle")


def pick(scope: Any, name: str, search: str, option: str) -> None:
    """Choose ``option`` in the searchable picker of field ``name`` by typing ``search``, as a
    person does: type, wait for the option to be offered, click it."""
    picker = scope.locator(f".picker[data-name='{name}']")
    picker.get_by_role("combobox").fill(search)
    picker.get_by_role("option").filter(has_text=option).first.click()
    if picker.get_attribute("data-multiple"):
        # a multiple picker stays open for the next choice: the chosen one becomes a chip
        picker.locator(".picker-chip").filter(has_text=option).first.wait_for()
    else:
        picker.locator(".picker-list").wait_for(state="hidden")
