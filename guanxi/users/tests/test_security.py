"""The security baseline of every page: CSP with nonces, cookies, framing, hashing, passwords."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from guanxi.framework.testing.fixtures import PASSWORD

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
ROOT = Path(settings.BASE_DIR)


def csp_nonce(response: Any) -> str:
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


@pytest.fixture
def rep_client(client: Client, make_user: Any) -> Client:
    client.force_login(make_user("zhangsan", name="张三"))
    return client


@pytest.mark.django_db
class TestContentSecurityPolicy:
    def test_header_is_strict(self, rep_client: Client) -> None:
        policy = rep_client.get("/")["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_\-]+'", directives["script-src"])
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy

    @pytest.mark.parametrize("url", ["/", "/search/?q=vip", "/settings/profile/", "/settings/password/"])
    def test_every_script_carries_the_header_nonce(self, rep_client: Client, url: str) -> None:
        response = rep_client.get(url)
        nonce = csp_nonce(response)
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        assert len(scripts) == 4  # htmx, django-htmx, app.js, Alpine (CSP build)
        assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        assert [re.search(r'src="([^"]+)"', t).group(1) for t in scripts] == [  # type: ignore[union-attr]
            "/static/django_htmx/htmx-2.min.js",
            "/static/django_htmx/django-htmx.js",
            "/static/js/app.js",
            "/static/vendor/alpine-csp.min.js",
        ]

    def test_nonce_changes_per_response(self, rep_client: Client) -> None:
        assert csp_nonce(rep_client.get("/")) != csp_nonce(rep_client.get("/"))

    @pytest.mark.parametrize("url", ["/", "/search/?q=x", "/settings/profile/", "/login/"])
    def test_no_inline_styles_or_handlers(self, client: Client, make_user: Any, url: str) -> None:
        if url != "/login/":
            client.force_login(make_user("lisi"))
        body = client.get(url).content.decode()
        assert not re.search(r"\sstyle=", body)
        assert not re.search(r"\son[a-z]+=", body)
        assert "<style" not in body
        # Inline scripts are allowed only with the nonce; we have none at all.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)

    def test_htmx_gets_the_csrf_token_and_no_inline_indicator_styles(self, rep_client: Client) -> None:
        body = rep_client.get("/").content.decode()
        headers = json.loads(re.search(r"hx-headers='([^']+)'", body).group(1))  # type: ignore[union-attr]
        assert len(headers["X-CSRFToken"]) == 64
        assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false,""" in body


@pytest.mark.django_db
class TestHeadersAndCookies:
    def test_framing_referrer_and_sniffing_headers(self, client: Client) -> None:
        response = client.get("/login/")
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    def test_cookie_settings(self) -> None:
        assert settings.SESSION_COOKIE_HTTPONLY is True
        assert settings.CSRF_COOKIE_HTTPONLY is True
        assert settings.SESSION_COOKIE_SAMESITE == "Lax"
        assert settings.CSRF_COOKIE_SAMESITE == "Lax"
        assert settings.LANGUAGE_COOKIE_HTTPONLY is True
        # Secure by default: only an explicit SECURE_COOKIES=0 (plain-HTTP demo) turns it off.
        assert settings.SECURE_COOKIES is (os.environ.get("SECURE_COOKIES", "1") not in ("0", "false", "no"))
        assert settings.SESSION_COOKIE_SECURE is settings.SECURE_COOKIES
        assert settings.CSRF_COOKIE_SECURE is settings.SECURE_COOKIES

    @override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, LANGUAGE_COOKIE_SECURE=True)
    def test_response_cookies_are_secure_httponly_lax(self, client: Client, make_user: Any) -> None:
        make_user("zhangsan")
        csrf = client.get("/login/").cookies["csrftoken"]
        assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")

        session = client.post("/login/", {"username": "zhangsan", "password": PASSWORD}).cookies["sessionid"]
        assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
        assert session["max-age"] == 12 * 3600

        lang = client.post("/settings/language/", {"language": "en", "next": "/"}).cookies["django_language"]
        assert (lang["secure"], lang["httponly"], lang["samesite"]) == (True, True, "Lax")

    def test_logout_needs_the_csrf_token(self, make_user: Any) -> None:
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(make_user("zhangsan"))
        assert strict.post("/logout/").status_code == 403
        assert "_auth_user_id" in strict.session


class TestPasswords:
    def test_production_hasher_is_argon2(self) -> None:
        # Under pytest a fast MD5 hasher is prepended; the production list follows it unchanged.
        assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"
        assert settings.PASSWORD_HASHERS[1] == ARGON2

    def test_settings_outside_tests_put_argon2_first(self) -> None:
        code = "import guanxi.settings as s, json; print(json.dumps(s.PASSWORD_HASHERS))"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        out = subprocess.run(  # noqa: S603  (fixed command: this interpreter)
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert json.loads(out.stdout.strip().splitlines()[-1]) == [
            ARGON2,
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]

    @override_settings(PASSWORD_HASHERS=[ARGON2])
    def test_argon2_hash_format(self) -> None:
        assert make_password("a-much-better-secret-42").startswith("argon2$argon2id$")

    @pytest.mark.parametrize(
        ("password", "codes"),
        [
            ("12345678", {"password_too_short", "password_too_common", "password_entirely_numeric"}),
            ("password123", {"password_too_common"}),
        ],
    )
    def test_weak_passwords_are_rejected(self, password: str, codes: set[str]) -> None:
        with pytest.raises(ValidationError) as excinfo:
            validate_password(password)
        assert {e.code for e in excinfo.value.error_list} == codes

    def test_a_long_unusual_password_passes(self) -> None:
        validate_password("河边的柳树-tall-willow-42")  # raises ValidationError if refused
