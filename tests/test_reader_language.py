"""Notifications and job names read in the reader's language, not the writer's.

They are stored as a message id with parameters (``guanxi.framework.i18n.deferred``) and
translated each time they are shown, so a recipient who switches language, or a colleague who
lists the jobs, reads them in their own words; the text rendered for the recipient at write time
is kept beside it (API, e-mail)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils.translation import gettext_lazy, gettext_noop, override

from guanxi.core.models import Job, Notification
from guanxi.framework.i18n import deferred, deferred_plural, render_message
from guanxi.framework.notify import notify
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(django_user_model: Any) -> Any:
    with as_system():
        return django_user_model.objects.create_superuser(
            "reader", "r@example.com", "x", language="zh-hans", name="王芳"
        )


def _switch(user: Any, language: str) -> None:
    with as_system():
        type(user).objects.filter(pk=user.pk).update(language=language)


def _titles(client: Any) -> list[str]:
    html = client.get("/notifications/").content.decode()
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r"<(?:strong|span)>([^<]+)</(?:strong|span)>", html)
    ]


def test_a_notification_reads_in_the_language_of_the_moment(client: Any, reader: Any) -> None:
    with as_system():
        notify(
            reader,
            deferred(
                gettext_noop("%(actor)s assigned you a task: %(title)s"), actor="张伟", title="发报价单"
            ),
        )
    stored = Notification.objects.get()
    assert stored.title == "张伟 给你分配了待办：发报价单"  # rendered for the recipient when written
    client.force_login(reader)
    assert "张伟 给你分配了待办：发报价单" in _titles(client)
    _switch(reader, "en")
    assert "张伟 assigned you a task: 发报价单" in _titles(client)


def test_plural_and_nested_messages(reader: Any) -> None:
    from guanxi.framework.transfer import TRANSFERRED_TO_YOU

    title = deferred_plural(TRANSFERRED_TO_YOU, 3, count=3)
    body = deferred(
        gettext_noop("Import %(type)s from %(file)s"), type=gettext_lazy("customers"), file="a.csv"
    )
    with override("en"):
        assert (render_message(title), render_message(body)) == (
            "3 records were transferred to you",
            "Import customers from a.csv",
        )
    with override("zh-hans"):
        assert (render_message(title), render_message(body)) == ("有 3 条记录转给了你", "从 a.csv 导入客户")
    assert render_message(None, "as stored") == "as stored"


def test_a_job_name_reads_in_each_readers_language(client: Any, reader: Any, django_user_model: Any) -> None:
    from guanxi.framework.jobs import start_job
    from guanxi.imports.tasks import run_import as import_rows

    with as_system():
        english = django_user_model.objects.create_superuser("eng", "e@example.com", "x", language="en")
        job = start_job(
            deferred(
                gettext_noop("Import %(type)s from %(file)s"), type=gettext_lazy("customers"), file="客户.csv"
            ),
            import_rows,
            user=english,
        )
    assert Job.objects.get(pk=job.pk).name == "Import customers from 客户.csv"  # the starter's words
    client.force_login(reader)  # an administrator reading another's job
    assert "从 客户.csv 导入客户" in client.get(f"/jobs/{job.pk}/").content.decode()
    client.force_login(english)
    assert "Import customers from 客户.csv" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_a_finished_job_notifies_in_the_readers_language(client: Any, reader: Any) -> None:
    from guanxi.framework.jobs import _notify_finished

    job = Job.objects.create(
        name="从 a.csv 导入客户",
        name_message=deferred(
            gettext_noop("Import %(type)s from %(file)s"), type=gettext_lazy("customers"), file="a.csv"
        ),
        task_path="x",
        user=reader,
        status=Job.Status.COMPLETED,
    )
    _notify_finished(job)
    assert Notification.objects.get().title == "已完成：从 a.csv 导入客户"
    _switch(reader, "en")
    client.force_login(reader)
    assert "Finished: Import customers from a.csv" in _titles(client)


@pytest.mark.parametrize(
    ("language", "not_found", "refused", "other"),
    [
        ("zh-hans", "找不到这个页面", "您没有访问此页面的权限", "We could not find this page"),
        ("en", "We could not find this page", "You do not have access to this page", "找不到这个页面"),
    ],
)
def test_error_pages_speak_the_users_saved_language(
    client: Any, django_user_model: Any, language: str, not_found: str, refused: str, other: str
) -> None:
    from django.test import override_settings

    with as_system():
        user = django_user_model.objects.create_user("nobody", password="x", language=language)
    client.force_login(user)
    browser = "en" if language == "zh-hans" else "zh-hans"  # the saved language wins over the browser
    with override_settings(DEBUG=False):
        missing = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=browser)
        denied = client.get("/customers/", HTTP_ACCEPT_LANGUAGE=browser)
    assert (missing.status_code, denied.status_code) == (404, 403)
    assert not_found in missing.content.decode() and other not in missing.content.decode()
    assert refused in denied.content.decode()


def _visible_text(html: str) -> str:
    from tests.test_language_leaks import texts

    return "\n".join(sorted(texts(html)))


@pytest.mark.parametrize(
    ("language", "due"),
    [("zh-hans", "2030年5月6日 10:30"), ("en", "May 6, 2030, 10:30 a.m.")],
)
def test_history_shows_dates_in_the_readers_format_not_iso(
    client: Any, django_user_model: Any, language: str, due: str
):
    with as_system():
        user = django_user_model.objects.create_superuser("hist", "h@example.com", "x", language=language)
    client.force_login(user)
    created = client.post(
        "/tasks/add/", {"title": "给王总发报价单", "priority": "high", "due_at": "2030-05-06T10:30"}
    )
    assert created.status_code == 302
    page = client.get(created["Location"] + "history/").content.decode()
    history = _visible_text(page)
    assert due in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", history)  # no raw ISO / UTC time
