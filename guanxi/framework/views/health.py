"""``/healthz``: is this instance able to serve (database, migrations) and to work (task workers)?

For load balancers and uptime monitors; no login, no session, a couple of queries. HTTP 200 when
``ok`` or ``degraded`` (pages work, background work does not: no live worker, or ``stale_jobs``
running jobs whose worker stopped and that the sweep has not reclaimed yet), 503 on ``error``
(database unreachable or migrations not applied). The probe functions are shared with
``guanxi check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from guanxi.framework.jobs import stale_jobs

# Once every migration has been seen applied, this process does not reload the migration graph
# (reading every migration file) on each probe: migrations are not un-applied under a running server.
_migrations_verified = False


def database_status(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app_label.migration_name`` of every migration not yet applied to the database."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def migration_status(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    global _migrations_verified
    if _migrations_verified:
        return {"ok": True, "unapplied": []}
    try:
        unapplied = unapplied_migrations(alias)
    except Exception as exc:
        return {"ok": False, "unapplied": [], "error": type(exc).__name__}
    _migrations_verified = not unapplied
    return {"ok": not unapplied, "unapplied": unapplied}


def backend_name() -> str:
    return str(settings.TASKS.get("default", {}).get("BACKEND", ""))


def _backlog(backend: str) -> int | None:
    """Tasks waiting to run, or None when the backend cannot say."""
    if backend == "django_tasks_db.DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().filter(backend_name="default").count()
    if backend == "django_tasks_rq.RQBackend":
        import django_rq

        return sum(django_rq.get_queue(name).count for name in settings.TASKS["default"].get("QUEUES", []))
    return None


def worker_status(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    from guanxi.core.models import WorkerHeartbeat

    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return [
        {"id": worker_id, "last_seen": last_seen.isoformat(), "stale": last_seen < stale_before}
        for worker_id, last_seen in WorkerHeartbeat.objects.order_by("-last_seen").values_list(
            "worker_id", "last_seen"
        )[:20]
    ]


def _probe(fn: Callable[[], Any]) -> Any:
    """Run a read that may fail (missing table) without breaking an enclosing transaction.

    Inside a transaction (tests, a caller's atomic block) a savepoint keeps PostgreSQL's
    transaction usable after an error. In autocommit there is nothing to protect, and an
    ``atomic()`` would cost a BEGIN — on SQLite an IMMEDIATE one that takes the write lock.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return fn()
    return fn()


def task_status(now: dt.datetime | None = None) -> dict[str, Any]:
    """Backend, backlog and workers. The immediate backend runs tasks inline and needs no worker."""
    backend = backend_name()
    inline = backend == "django.tasks.backends.immediate.ImmediateBackend"
    out: dict[str, Any] = {
        "backend": backend,
        "backlog": 0 if inline else None,
        "workers": [],
        "stale_jobs": 0,
        "ok": False,
    }
    if not inline:
        try:
            out["backlog"] = _probe(lambda: _backlog(backend))
        except Exception as exc:
            out["backlog_error"] = type(exc).__name__
    try:
        out["workers"] = _probe(lambda: worker_status(now))
    except Exception as exc:
        out["workers_error"] = type(exc).__name__
    try:
        out["stale_jobs"] = _probe(lambda: stale_jobs(now).count())
    except Exception as exc:
        out["stale_jobs_error"] = type(exc).__name__
    out["ok"] = (inline or any(not w["stale"] for w in out["workers"])) and not out["stale_jobs"]
    return out


def health_report(now: dt.datetime | None = None) -> dict[str, Any]:
    """The /healthz body; ``status`` is ok, degraded (no live worker) or error."""
    database = database_status()
    if not database["ok"]:
        return {
            "status": "error",
            "database": database,
            "migrations": {"ok": False, "unapplied": []},
            "tasks": {
                "backend": backend_name(),
                "backlog": None,
                "workers": [],
                "stale_jobs": None,
                "ok": False,
            },
        }
    migrations = migration_status()
    tasks = task_status(now)
    if not migrations["ok"]:
        status = "error"
    elif not tasks["ok"]:
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "database": database, "migrations": migrations, "tasks": tasks}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=503 if report["status"] == "error" else 200)
