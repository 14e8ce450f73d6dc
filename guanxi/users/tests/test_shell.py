"""The application shell: home dashboard, navigation, messages, icons, error pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guanxi.core.models import Notification, Tag
from guanxi.framework.templatetags import ui
from guanxi.framework.testing.fixtures import as_user

# session, user, unread-notification count, the user's grants (the access snapshot, cached across
# requests), one query for the content types of every entity type (the "Import data" menu entry
# asks whether the user may import any of them and loads them in one go, which also serves the
# "My day" cards' and the other menu entries' checks on this cold content-type cache), who reports
# to the user, the cards' own reads (tasks, follow-ups, due receivables) and recent changes. It was
# 36 while each type's content type cost its own query on a cold cache.
HOME_QUERIES = 10
HOME_QUERIES_WARM = 4  # session, user, bell, recent changes


@pytest.fixture
def rep(make_user: Any) -> Any:
    return make_user("zhangsan", name="张三", perms=["core.view_tag", "core.add_tag"])


@pytest.mark.django_db
class TestHome:
    def test_empty_dashboard(self, client: Client, rep: Any) -> None:
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # the count below is the cold one, whatever ran before
        client.force_login(rep)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        assert response.status_code == 200
        assert len(queries) == HOME_QUERIES, [q["sql"] for q in queries]
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        assert len(queries) == HOME_QUERIES_WARM, [q["sql"] for q in queries]
        assert re.search(r"Good (morning|afternoon|evening), 张三", body)
        # Without a role for tasks or customers, no "My day" card applies: one empty state.
        assert "Your tasks, follow-ups due and reminders appear here." in body
        assert "No changes yet" in body
        assert re.findall(r'<div class="empty-title">([^<]+)</div>', body) == [
            "Nothing planned yet",
            "No changes yet",
        ]

    def test_recent_changes_are_the_users_own_newest_first(
        self, client: Client, rep: Any, make_user: Any
    ) -> None:
        other = make_user("lisi")
        with as_user(other):
            Tag.objects.create(name="别人的标签", slug="others")
        with as_user(rep):
            for i in range(12):
                Tag.objects.create(name=f"标签{i:02d}", slug=f"t{i}")
        client.force_login(rep)
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        body = response.content.decode()
        shown = re.findall(r"<strong>(标签\d\d|别人的标签)</strong>", body)
        assert shown == [f"标签{i:02d}" for i in range(11, 1, -1)]
        assert "No changes yet" not in body

    def test_date_and_greeting_follow_the_users_time_zone(self, client: Client, rep: Any) -> None:
        client.force_login(rep)
        response = client.get("/")
        assert response.context["today"].utcoffset() == timedelta(hours=8)  # Asia/Shanghai


@pytest.mark.django_db
class TestShell:
    def test_navigation_marks_the_current_page(self, client: Client, rep: Any) -> None:
        client.force_login(rep)
        body = client.get("/settings/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        active = re.findall(r'<a class="nav-link active" href="([^"]+)"', body)
        assert active == ["/settings/profile/"]
        assert '<a class="nav-link" href="/">' in body
        home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert re.findall(r'<a class="nav-link active" href="([^"]+)"', home) == ["/"]

    def test_shell_parts(self, client: Client, rep: Any) -> None:
        client.force_login(rep)
        body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'x-data="shell"' in body
        assert 'class="icon-btn nav-toggle"' in body  # the phone-width drawer button
        assert 'id="global-search"' in body and 'hx-get="/search/"' in body
        assert 'hx-get="/notifications/menu/"' in body
        assert "关系 Guanxi" in body or '<span class="brand-zh">关系</span>' in body

    def test_unread_notification_badge(self, client: Client, rep: Any) -> None:
        Notification.objects.bulk_create([Notification(recipient=rep, title=f"n{i}") for i in range(3)])
        Notification.objects.create(recipient=rep, title="read", read_at="2026-01-01T00:00:00Z")
        client.force_login(rep)
        body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<span class="count" aria-hidden="true">3</span>' in body
        assert 'aria-label="Notifications, 3 unread"' in body

    def test_messages_render_as_dismissible_alerts(self, client: Client, rep: Any) -> None:
        client.force_login(rep)
        response = client.post(
            "/settings/profile/",
            {"name": "张三", "email": "", "phone": "", "language": "en", "time_zone": ""},
            follow=True,
        )
        body = response.content.decode()
        assert re.search(r'<div class="alert alert-success" role="status"\s+x-data="dismissible"', body)
        assert "Your profile was saved." in body
        # Shown once, then gone.
        assert "Your profile was saved." not in client.get("/settings/profile/").content.decode()

    @override_settings(DEBUG=False)
    @pytest.mark.parametrize(
        ("browser", "said", "unsaid"),
        [
            ("zh-hans", "找不到这个页面", "We could not find this page"),
            ("en", "We could not find this page", "找不到这个页面"),
        ],
    )
    def test_404_page_speaks_the_readers_language(
        self, client: Client, browser: str, said: str, unsaid: str
    ) -> None:
        response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=browser)
        body = response.content.decode()
        assert response.status_code == 404
        assert said in body and unsaid not in body
        assert 'href="/"' in body

    @pytest.mark.parametrize(
        ("template", "zh", "en"),
        [
            ("400.html", "请求无效", "Bad request"),
            ("403.html", "您没有访问此页面的权限", "You do not have access to this page"),
            ("404.html", "找不到这个页面", "We could not find this page"),
            ("500.html", "出错了", "Something went wrong"),
        ],
    )
    def test_error_templates_render_without_a_request(self, template: str, zh: str, en: str) -> None:
        # handler500 renders with no request context at all; the page must still work, in the
        # language active for the request that failed.
        with translation.override("zh-hans"):
            body = render_to_string(template)
        assert zh in body and en not in body
        assert "/static/css/guanxi.css" in body
        assert "<script" not in body
        with translation.override("en"):
            body = render_to_string(template)
        assert en in body and zh not in body


class TestIcons:
    def test_icon_renders_inline_svg(self) -> None:
        html = Template('{% load ui %}{% icon "users" class="icon-sm" %}').render(Context())
        assert html.startswith(
            '<svg class="icon icon-sm" viewBox="0 0 24 24" fill="none" stroke="currentColor"'
        )
        assert 'aria-hidden="true"' in html
        assert html.count("<path") == 4  # the empty bounding-box path is dropped
        assert "M0 0h24v24H0z" not in html

    def test_labelled_icon_is_announced(self) -> None:
        html = Template('{% load ui %}{% icon "bell" label="通知" %}').render(Context())
        assert 'role="img" aria-label="通知"' in html
        assert "aria-hidden" not in html

    def test_unknown_icon_raises_in_tests(self) -> None:
        with pytest.raises(ui.UnknownIcon):
            Template('{% load ui %}{% icon "no-such-icon" %}').render(Context())

    def test_unknown_icon_renders_nothing_in_production(self) -> None:
        with override_settings(DEBUG=False, TESTING=False):
            assert Template('{% load ui %}[{% icon "no-such-icon" %}]').render(Context()) == "[]"

    def test_missing_sprite_renders_nothing(self, monkeypatch: Any) -> None:
        monkeypatch.setattr(ui, "_icons", None)
        monkeypatch.setattr(ui.finders, "find", lambda path: None)
        assert ui.render_icon("users") == ""
        assert ui.render_icon("no-such-icon") == ""  # nothing to check names against

    def test_avatar_and_badge(self) -> None:
        class Person:
            pk = 7
            initials = "三丰"

            def __str__(self) -> str:
                return "张三丰"

        html = Template(
            '{% load ui %}{% avatar p "lg" %}|{{ "VIP"|badge:"amber" }}|{{ "x"|badge:"nope" }}'
        ).render(Context({"p": Person()}))
        colour = ui.avatar_colour("7")
        assert html == (
            f'<span class="avatar avatar-c{colour} avatar-lg" title="张三丰" aria-hidden="true">三丰</span>'
            '|<span class="badge badge-amber">VIP</span>|<span class="badge badge-slate">x</span>'
        )

    def test_minutes_filter(self) -> None:
        assert ui.minutes(timedelta(minutes=15)) == 15
        assert ui.minutes(timedelta(seconds=61)) == 2
        assert ui.minutes(None) == 0
