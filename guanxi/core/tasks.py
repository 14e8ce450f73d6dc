"""Platform background work: the search-index rebuild job and housekeeping schedules."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework import search
from guanxi.framework.jobs import JobHandle, job_task
from guanxi.framework.schedules import periodic

logger = logging.getLogger(__name__)

JOB_RETENTION = dt.timedelta(days=30)
TASK_RESULT_RETENTION = dt.timedelta(days=7)
HEARTBEAT_RETENTION = dt.timedelta(days=1)


@job_task(retries=2)  # a rebuild: safe to start again if its worker dies
def reindex_search(job: JobHandle, *, models: list[str] | None = None) -> dict[str, Any]:
    """Rebuild ``SearchEntry`` rows for every registered model (or the ``app_label.model`` given).

    Run after bulk loads that bypass ``save()`` (imports with ``bulk_create``, raw SQL, restores).
    Progress is reported per model; the result maps each model label to the rows indexed.
    """
    targets = search.registered_models()
    if models:
        wanted = {label.lower() for label in models}
        targets = [m for m in targets if m._meta.label_lower in wanted]
    counts: dict[str, int] = {}
    for done, model in enumerate(targets):
        job.progress(
            100 * done // max(len(targets), 1),
            _("Indexing %(model)s") % {"model": model._meta.verbose_name_plural},
        )
        counts[model._meta.label_lower] = search.reindex(model)
    return {"models": counts, "rows": sum(counts.values())}


def using_database_task_backend() -> bool:
    """Is any configured task backend django-tasks-db's (whose results live in our database)?"""
    return apps.is_installed("django_tasks_db") and any(
        conf.get("BACKEND") == "django_tasks_db.DatabaseBackend" for conf in settings.TASKS.values()
    )


@periodic("reclaim_stale_jobs", every=dt.timedelta(minutes=1))
def reclaim_stale_jobs() -> dict[str, int]:
    """Retry or fail running jobs whose worker stopped (no heartbeat for ``JOB_STALE_SECONDS``)."""
    from guanxi.framework.jobs import reclaim_stale_jobs as reclaim

    reclaimed = reclaim()
    return {"retried": len(reclaimed["retried"]), "failed": len(reclaimed["failed"])}


@periodic("prune_finished_jobs", every=dt.timedelta(hours=1))
def prune_finished_jobs() -> dict[str, int]:
    """Delete finished jobs older than 30 days, task results older than 7, dead workers' heartbeats."""
    from guanxi.core.models import Job, WorkerHeartbeat

    now = timezone.now()
    deleted_jobs, _detail = Job.objects.filter(
        status__in=[Job.Status.COMPLETED, Job.Status.FAILED], finished_at__lt=now - JOB_RETENTION
    ).delete()
    deleted_results = 0
    if using_database_task_backend():
        from django_tasks_db.models import DBTaskResult

        deleted_results, _detail = (
            DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULT_RETENTION).delete()
        )
    deleted_heartbeats, _detail = WorkerHeartbeat.objects.filter(
        last_seen__lt=now - HEARTBEAT_RETENTION
    ).delete()
    logger.info(
        "Pruned %s jobs, %s task results, %s heartbeats", deleted_jobs, deleted_results, deleted_heartbeats
    )
    return {"jobs": deleted_jobs, "task_results": deleted_results, "heartbeats": deleted_heartbeats}


@periodic("prune_delivered_events", every=dt.timedelta(hours=1))
def prune_delivered_events(batch: int = 5000) -> int:
    """Delete delivered events older than ``EVENT_RETENTION_DAYS`` (failed ones stay for a look),
    a batch at a time so a big backlog never becomes one huge transaction."""
    from guanxi.core.models import Event, EventDelivery

    cutoff = timezone.now() - dt.timedelta(days=settings.EVENT_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            Event.objects.filter(status=Event.Status.DONE, occurred_at__lt=cutoff).values_list(
                "pk", flat=True
            )[:batch]
        )
        if not ids:
            break
        EventDelivery.objects.filter(event_id__in=ids).delete()
        deleted += Event.objects.filter(pk__in=ids).delete()[0]
    if deleted:
        logger.info("Pruned %s delivered events", deleted)
    return deleted
