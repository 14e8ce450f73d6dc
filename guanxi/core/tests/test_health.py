"""/healthz: ok, degraded without a live worker, 503 with unapplied migrations, missing tables."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.utils import timezone

from guanxi.core.models import WorkerHeartbeat
from guanxi.framework.views import health

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "schedules"]}}
IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"


@pytest.fixture(autouse=True)
def _fresh_migration_probe(monkeypatch):
    monkeypatch.setattr(health, "_migrations_verified", False)


def heartbeat(worker_id: str, seconds_ago: int) -> WorkerHeartbeat:
    seen = timezone.now() - dt.timedelta(seconds=seconds_ago)
    host, _sep, pid = worker_id.partition(":")
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=host,
        pid=int(pid),
        backend="django_tasks_db.DatabaseBackend",
        started_at=seen,
        last_seen=seen,
    )


def test_ok_with_inline_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": connection.vendor},
        "migrations": {"ok": True, "unapplied": []},
        "tasks": {"backend": IMMEDIATE, "backlog": 0, "workers": [], "stale_jobs": 0, "ok": True},
    }


def test_degraded_without_a_worker(client):
    with override_settings(TASKS=DB_TASKS):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["tasks"] == {
        "backend": "django_tasks_db.DatabaseBackend",
        "backlog": 0,
        "workers": [],
        "stale_jobs": 0,
        "ok": False,
    }


def test_ok_with_a_fresh_worker_and_backlog_counted(client):
    from guanxi.core.tests.test_schedules import count_run

    beat = heartbeat("web1:100", seconds_ago=5)
    heartbeat("web2:200", seconds_ago=600)
    with override_settings(TASKS=DB_TASKS, WORKER_STALE_SECONDS=120):
        count_run.enqueue()
        count_run.enqueue()
        response = client.get("/healthz")
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert body["tasks"]["backlog"] == 2
    assert [(w["id"], w["stale"]) for w in body["tasks"]["workers"]] == [
        ("web1:100", False),
        ("web2:200", True),
    ]
    assert body["tasks"]["workers"][0]["last_seen"] == beat.last_seen.isoformat()


def test_only_stale_workers_is_degraded(client):
    heartbeat("old:1", seconds_ago=121)
    with override_settings(TASKS=DB_TASKS, WORKER_STALE_SECONDS=120):
        body = client.get("/healthz").json()
    assert (body["status"], body["tasks"]["ok"], body["tasks"]["workers"][0]["stale"]) == (
        "degraded",
        False,
        True,
    )


def test_unapplied_migration_is_an_error_503(client):
    # The newest core migration, so no applied migration depends on the missing one.
    leaf = MigrationRecorder.Migration.objects.filter(app="core").order_by("-name").first()
    leaf.delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["migrations"] == {"ok": False, "unapplied": [f"core.{leaf.name}"]}


def test_migrations_are_not_reloaded_once_verified(client, django_assert_max_num_queries):
    client.get("/healthz")
    assert health._migrations_verified is True
    # SELECT 1, the heartbeat rows and the count of stale jobs; the savepoints around the latter two
    # exist only because the test runs inside a transaction (in autocommit no savepoint is made).
    with django_assert_max_num_queries(7):
        assert client.get("/healthz").json()["status"] == "ok"


def test_missing_tables_do_not_raise(client):
    from django_tasks_db.models import DBTaskResult

    # DDL is transactional on SQLite and PostgreSQL: the test's rollback brings the tables back.
    with connection.cursor() as cursor:
        for model in (WorkerHeartbeat, DBTaskResult):
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(model._meta.db_table)}")
    with override_settings(TASKS=DB_TASKS):
        response = client.get("/healthz")
    assert response.status_code == 200
    tasks = response.json()["tasks"]
    assert (tasks["backlog"], tasks["workers"], tasks["ok"]) == (None, [], False)
    assert "backlog_error" in tasks and "workers_error" in tasks


def test_head_is_allowed_and_post_is_not(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
