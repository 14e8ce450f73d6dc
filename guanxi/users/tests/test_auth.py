"""Sign in, sign out, lockout, password change, profile and language: pages and their audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from guanxi.core.models import AuditEvent, ObjectChange
from guanxi.framework.testing.fixtures import PASSWORD

UA = "Mozilla/5.0 (GuanxiTest)"


def events() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("event", "username"))


@pytest.fixture
def rep(make_user: Any) -> Any:
    return make_user("zhangsan", name="张三", email="zs@example.com")


@pytest.mark.django_db
class TestLogin:
    def test_login_page_renders_with_language_switcher(self, client: Any) -> None:
        response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="en">' in body
        assert 'name="username"' in body
        assert f'action="{reverse("switch_language")}"' in body
        assert 'value="zh-hans"' in body and ">简体中文<" in body and ">English<" in body

    def test_success_redirects_home_and_audits(self, client: Any, rep: Any) -> None:
        response = client.post(
            "/login/",
            {"username": "zhangsan", "password": PASSWORD},
            HTTP_USER_AGENT=UA,
            REMOTE_ADDR="10.1.2.3",
        )
        assert response.status_code == 302
        assert response["Location"] == "/"
        event = AuditEvent.objects.get()
        assert (event.event, event.username, event.user_id) == ("login", "zhangsan", rep.pk)
        assert (event.ip_address, event.user_agent) == ("10.1.2.3", UA)

    def test_failure_shows_error_and_audits(self, client: Any, rep: Any) -> None:
        response = client.post(
            "/login/",
            {"username": "zhangsan", "password": "wrong-password"},
            HTTP_ACCEPT_LANGUAGE="en",
            HTTP_USER_AGENT=UA,
        )
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        event = AuditEvent.objects.get()
        assert (event.event, event.username, event.user_id, event.user_agent) == (
            "login_failed",
            "zhangsan",
            None,
            UA,
        )
        assert "wrong-password" not in str(event.detail)

    def test_next_is_followed(self, client: Any, rep: Any) -> None:
        response = client.post(
            "/login/?next=/settings/profile/",
            {"username": "zhangsan", "password": PASSWORD, "next": "/settings/profile/"},
        )
        assert response["Location"] == "/settings/profile/"

    def test_pages_require_login(self, client: Any) -> None:
        for url in ("/", "/search/?q=x", "/settings/profile/", "/settings/password/"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/?next="), url


@pytest.mark.django_db
class TestLockout:
    def test_five_failures_lock_the_account(self, client: Any, rep: Any) -> None:
        statuses = [
            client.post("/login/", {"username": "zhangsan", "password": f"bad-{i}"}).status_code
            for i in range(5)
        ]
        # The fifth failure reaches the limit; axes answers it with the lockout page (HTTP 429).
        assert statuses == [200, 200, 200, 200, 429]
        # axes' own receiver of user_login_failed runs first and announces the lockout before ours
        # records the fifth failure.
        failed, locked = ("login_failed", "zhangsan"), ("locked_out", "zhangsan")
        assert events() == [failed] * 4 + [locked, failed]

        # Even the right password is refused while locked, and nothing logs in.
        response = client.post("/login/", {"username": "zhangsan", "password": PASSWORD})
        body = response.content.decode()
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "请在 15 分钟后重试" in body
        assert "Try again in 15 minutes" in body
        assert "contact your CRM administrator" in body
        assert "请联系 CRM 管理员" in body
        assert AuditEvent.objects.filter(event="login").count() == 0
        # Each attempt while locked is itself recorded.
        assert events()[6:] == [locked, failed]

    def test_other_user_is_not_locked(self, client: Any, rep: Any, make_user: Any) -> None:
        make_user("lisi")
        for i in range(5):
            client.post("/login/", {"username": "zhangsan", "password": f"bad-{i}"})
        response = client.post("/login/", {"username": "lisi", "password": PASSWORD})
        assert response.status_code == 302


@pytest.mark.django_db
class TestLogout:
    def test_logout_is_post_only_and_audited(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        assert client.get("/logout/").status_code == 405
        assert "_auth_user_id" in client.session

        response = client.post("/logout/", HTTP_USER_AGENT=UA)
        assert response.status_code == 302
        assert response["Location"] == "/login/"
        assert "_auth_user_id" not in client.session
        assert events() == [("login", "zhangsan"), ("logout", "zhangsan")]

    def test_shell_offers_logout_as_a_post_form(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        body = client.get("/").content.decode()
        assert '<form method="post" action="/logout/">' in body


@pytest.mark.django_db
class TestPasswordChange:
    def test_change_password(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        response = client.post(
            "/settings/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "a-much-better-secret-42",
                "new_password2": "a-much-better-secret-42",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 302
        assert response["Location"] == "/settings/profile/"
        rep.refresh_from_db()
        assert rep.check_password("a-much-better-secret-42")
        # Still signed in, and told so.
        page = client.get("/settings/profile/", HTTP_ACCEPT_LANGUAGE="en")
        assert "Your password was changed." in page.content.decode()

    def test_weak_new_password_is_refused(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        response = client.post(
            "/settings/password/",
            {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "This password is too short" in response.content.decode()
        rep.refresh_from_db()
        assert rep.check_password(PASSWORD)


@pytest.mark.django_db
class TestProfile:
    def test_profile_saves_and_logs_the_change(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        response = client.post(
            "/settings/profile/",
            {
                "name": "张三丰",
                "email": "zsf@example.com",
                "phone": "13800138000",
                "language": "en",
                "time_zone": "Asia/Hong_Kong",
            },
        )
        assert response.status_code == 302
        rep.refresh_from_db()
        assert (rep.name, rep.email, rep.phone, rep.language, rep.time_zone) == (
            "张三丰",
            "zsf@example.com",
            "13800138000",
            "en",
            "Asia/Hong_Kong",
        )
        change = ObjectChange.objects.get(changed_object_id=rep.pk, action="update")
        assert change.user_id == rep.pk
        assert change.source == "web"
        assert change.postchange_data is not None
        assert change.postchange_data["name"] == "张三丰"
        assert "Your profile was saved." in client.get("/settings/profile/").content.decode()

    def test_time_zone_choices_start_with_shanghai(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        form = client.get("/settings/profile/").context["form"]
        assert [c[0] for c in form.fields["time_zone"].choices][:3] == ["", "Asia/Shanghai", "Asia/Hong_Kong"]

    def test_unknown_time_zone_and_taken_email_are_refused(
        self, client: Any, rep: Any, make_user: Any
    ) -> None:
        make_user("lisi", email="lisi@example.com")
        client.force_login(rep)
        response = client.post(
            "/settings/profile/",
            {
                "name": "张三",
                "email": "LISI@example.com",
                "phone": "",
                "language": "",
                "time_zone": "Mars/Olympus",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"email", "time_zone"}
        assert errors["email"] == ["Another user already has this email address."]
        rep.refresh_from_db()
        assert rep.email == "zs@example.com"


@pytest.mark.django_db
class TestLanguage:
    def test_switch_persists_on_user_and_next_page_uses_it(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

        response = client.post("/settings/language/", {"language": "en", "next": "/settings/profile/"})
        assert response.status_code == 302
        assert response["Location"] == "/settings/profile/"
        rep.refresh_from_db()
        assert rep.language == "en"
        change = ObjectChange.objects.get(changed_object_id=rep.pk, action="update")
        assert change.postchange_data == {"language": "en"}

        # A new device (no language cookie, a Chinese browser) still gets English.
        other = type(client)()
        other.force_login(type(rep).objects.get(pk=rep.pk))
        page = other.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<html lang="en">' in page

    def test_anonymous_switch_sets_cookie_only(self, client: Any) -> None:
        response = client.post("/settings/language/", {"language": "en", "next": "/login/"})
        assert response.status_code == 302
        assert response.cookies["django_language"].value == "en"
        assert '<html lang="en">' in client.get("/login/").content.decode()

    def test_unknown_language_is_ignored(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        client.post("/settings/language/", {"language": "xx", "next": "/"})
        rep.refresh_from_db()
        assert rep.language == ""

    def test_switch_is_post_only(self, client: Any, rep: Any) -> None:
        client.force_login(rep)
        assert client.get("/settings/language/?language=en").status_code == 405
