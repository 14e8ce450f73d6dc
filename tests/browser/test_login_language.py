"""Signing in, in Chinese and in English, and switching the language from the user menu."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from guanxi.users.forms import LoginForm
from tests.browser.conftest import LOCALE_EN, LOCALE_ZH, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def django_text(language: str, text: str) -> str:
    """A string from Django's own catalog (translated whether or not ours is complete)."""
    with translation.override(language):
        return str(translation.gettext(text))


def invalid_login_message(language: str) -> str:
    with translation.override(language):
        username = get_user_model()._meta.get_field("username").verbose_name
        return str(LoginForm.error_messages["invalid_login"] % {"username": username})


@pytest.mark.parametrize(
    ("locale", "language", "username_label", "heading"),
    [(LOCALE_ZH, "zh-hans", "用户名", "登录"), (LOCALE_EN, "en", "Username", "Sign in")],
)
def test_sign_in_in_the_browser_language(
    new_context, live_server, make_user, locale, language, username_label, heading
):
    make_user("wangfang", name="王芳")
    page = new_context(locale=locale).new_page()

    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("label[for=id_username]").inner_text() == username_label
    assert page.locator("h1.page-title").inner_text() == heading  # from our own catalog
    assert page.locator("label[for=id_password]").inner_text() == django_text(language, "Password")
    # The current language is the pressed button of the switcher.
    assert page.locator(".segmented button[aria-pressed=true]").get_attribute("value") == language

    login(page, live_server, "wangfang", "wrong-password")
    assert page.url == f"{live_server.url}/login/"
    assert page.locator(".form-errors[role=alert]").inner_text() == invalid_login_message(language)

    login(page, live_server, "wangfang")
    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1.greeting").inner_text().endswith("王芳")
    assert page.locator(".user-btn-name").inner_text() == "王芳"


def test_the_two_languages_read_differently(new_context, live_server):
    texts = {}
    for locale in (LOCALE_ZH, LOCALE_EN):
        page = new_context(locale=locale).new_page()
        page.goto(f"{live_server.url}/login/")
        texts[locale] = page.locator("form[action*='login']").inner_text()
    assert texts[LOCALE_EN] != texts[LOCALE_ZH]
    assert "Username" in texts[LOCALE_EN]
    assert "用户名" in texts[LOCALE_ZH]


def switch_language_from_user_menu(page, language: str) -> None:
    page.locator(".user-btn").click()
    button = page.locator(f".dropdown-menu button[name=language][value={language}]")
    with page.expect_navigation():
        button.click()


def test_language_switch_is_saved_on_the_user(new_context, live_server, make_user):
    user = make_user("liuyang", name="刘洋")
    page = new_context(locale=LOCALE_ZH).new_page()
    login(page, live_server, "liuyang")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    switch_language_from_user_menu(page, "en")
    assert page.url == f"{live_server.url}/"  # back where the switch was made
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("label[for=global-search]").inner_text() == "Search"
    user.refresh_from_db()
    assert user.language == "en"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    # The menu shows English as the current choice.
    page.locator(".user-btn").click()
    assert page.locator(".dropdown-menu button[aria-pressed=true]").get_attribute("value") == "en"

    # Another device whose browser prefers Chinese: the saved choice wins once signed in.
    other = new_context(locale=LOCALE_ZH).new_page()
    login(other, live_server, "liuyang")
    assert other.locator("html").get_attribute("lang") == "en"

    switch_language_from_user_menu(other, "zh-hans")
    assert other.locator("html").get_attribute("lang") == "zh-hans"
    assert other.locator("label[for=global-search]").inner_text() == "搜索"
    user.refresh_from_db()
    assert user.language == "zh-hans"

    # And a third, English-preferring browser gets Chinese after signing in.
    third = new_context(locale=LOCALE_EN).new_page()
    login(third, live_server, "liuyang")
    assert third.locator("html").get_attribute("lang") == "zh-hans"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
