"""A person opens the demo in a real Chromium, signs in as a demo persona and lands on the home page.

Exercises the browser set-up every browser test relies on (Debian's Chromium via conftest.py,
CJK fonts, vendored static files) and the strict CSP: the pages must log no console errors.
"""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_persona_signs_in(live_server, page):
    call_command("demo", "--quiet")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/login/")
    login = page.locator("form[action='/login/']")
    login.locator("input[name=username]").fill("rep1")
    login.locator("input[name=password]").fill("guanxi-demo")
    with page.expect_navigation():
        login.locator("button[type=submit]").click()

    assert page.url == f"{live_server.url}/"
    assert "王芳" in page.content()
    assert errors == []
    alpine = page.request.get(f"{live_server.url}/static/vendor/alpine-csp.min.js")
    assert alpine.status == 200
