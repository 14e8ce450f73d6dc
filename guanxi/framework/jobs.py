"""Background jobs: long user-visible work with a ``core.Job`` row and a live progress bar.

A job function takes a ``JobHandle`` and the job's parameters, and returns a JSON-ready result::

    @job_task
    def export_customers(job: JobHandle, *, view_id: int) -> dict:
        for i, chunk in enumerate(chunks):
            ...
            job.progress(100 * i // len(chunks), _("Writing rows"))
        return {"rows": n, "file": attachment.pk}

    start_job(_("Export customers"), export_customers, user=request.user, params={"view_id": 3})

``start_job`` saves the Job (pending) and enqueues the task with the job id only after the
surrounding transaction commits, so a worker never looks for a row it cannot see yet (and a
rolled-back request enqueues nothing). The task wrapper made by ``@job_task``:

* claims the row with a conditional UPDATE (pending/failed -> running), so running the task twice
  (a duplicate enqueue, a retry) never runs the work twice; a completed job is never re-run;
* runs the function inside ``actor_context(job.user, source=TASK)`` so its writes are logged
  as the user who started it;
* records the result (progress 100 %) or the error (traceback to the log), and
* notifies the starter in their own language.

A job that loses its worker (the process killed, the machine gone) would otherwise stay
"running 69 %" for ever. A running job has a heartbeat: the claim, every ``progress()`` and a beat
every ``JOB_STALE_SECONDS / 5`` from a thread of the process running it set ``heartbeat_at``. The
``reclaim_stale_jobs`` schedule finds running jobs silent for ``JOB_STALE_SECONDS``: a job kind
declared ``@job_task(retries=n)`` (work that is safe to start again) is put back in the queue up to
``n`` times, any other is marked failed with the reason, and the starter is told. ``/healthz``
counts stale jobs the sweep has not reclaimed yet.

The wrapper handles failures itself and returns normally: the Job row, not the task backend's
result, is the record of user-visible work, and each failure is logged once.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.tasks import task as django_task
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.framework.context import Source, actor_context

logger = logging.getLogger(__name__)

# module path of each job task -> the undecorated job function (for checks and the docs).
JOB_FUNCTIONS: dict[str, Callable[..., Any]] = {}
# module path of each job task -> how often it may be started again after its worker died.
JOB_RETRIES: dict[str, int] = {}


class JobHandle:
    """What a job function sees of its job: id, user, parameters, and ``progress()``."""

    def __init__(self, job: Any) -> None:
        self.job = job

    @property
    def id(self) -> int:
        return self.job.pk

    @property
    def user(self) -> Any:
        return self.job.user

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def progress(self, percent: float, message: str = "") -> None:
        """Report progress (0-100) and what is happening now.

        A plain ``UPDATE`` of two columns: cheap enough to call per batch, and deliberately not
        change-logged (progress is not history).
        """
        from guanxi.core.models import Job

        value = max(0, min(100, int(percent)))
        message = str(message)[: Job._meta.get_field("message").max_length]
        Job.objects.filter(pk=self.job.pk).update(
            progress=value, message=message, heartbeat_at=timezone.now()
        )
        self.job.progress, self.job.message = value, message


def is_job_task(task: Any) -> bool:
    return getattr(task, "module_path", None) in JOB_FUNCTIONS


def job_task(
    function: Callable[..., Any] | None = None, *, queue_name: str = "default", retries: int = 0
) -> Any:
    """Make ``fn(job: JobHandle, **params)`` a django.tasks task that runs it as a Job.

    The task itself takes only the job id; start it with ``start_job``. ``retries``: how many times
    the job is started again when its worker dies while running it — only for work that is safe to
    repeat from the start (a rebuild, not an import that would insert its rows twice).
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        # ``wraps`` keeps fn's module and qualified name, so the task's import path is the name
        # this decorator's result is bound to in fn's module: the worker imports the task there.
        @functools.wraps(fn)
        def run(job_id: int) -> dict[str, Any]:
            return run_job(job_id, fn)

        del run.__wrapped__  # the task takes job_id, not fn's signature
        task = django_task(run, queue_name=queue_name)
        JOB_FUNCTIONS[task.module_path] = fn
        JOB_RETRIES[task.module_path] = retries
        return task

    return decorate(function) if function is not None else decorate


def start_job(name: Any, task: Any, *, user: Any, params: dict[str, Any] | None = None) -> Any:
    """Create a pending ``Job`` and enqueue ``task`` for it once the transaction commits.

    ``name`` is best a message (``guanxi.framework.i18n.deferred``): everyone who lists jobs reads
    it in their own language. A lazy string is kept as its message id too."""
    from guanxi.core.models import Job
    from guanxi.framework.i18n import deferred, render_message

    if not is_job_task(task):
        raise TypeError(f"{task!r} is not a @job_task task")
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    message = name if isinstance(name, dict) else deferred(name) if isinstance(name, Promise) else None
    text = render_message(message) if message else str(name)
    job = Job.objects.create(
        name=text[:200], name_message=message, task_path=task.module_path, user=user, params=params or {}
    )
    transaction.on_commit(functools.partial(_enqueue, task, job.pk))
    return job


def _enqueue(task: Any, job_id: int) -> None:
    from guanxi.core.models import Job

    try:
        task.enqueue(job_id)
    except Exception as exc:
        # A broker that is down must not leave the user watching a job that will never start.
        logger.exception("Could not enqueue job %s", job_id)
        _finish_failed(Job.objects.select_related("user").get(pk=job_id), f"Could not enqueue: {exc}")


def run_job(job_id: int, fn: Callable[..., Any]) -> dict[str, Any]:
    """Run one job (the body of every ``@job_task`` task); see the module docstring."""
    from guanxi.core.models import Job

    Status = Job.Status
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        finished_at=None,
        error="",
        progress=0,
    )
    job = Job.objects.select_related("user").filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s no longer exists; nothing to run", job_id)
        return {"job": job_id, "status": "missing"}
    if not claimed:
        # Completed: never run twice. Running: another worker has it.
        logger.info("Job %s is %s; not running it again", job_id, job.status)
        return {"job": job_id, "status": job.status, "skipped": True}

    try:
        with actor_context(job.user, source=Source.TASK), _beating(job_id):
            result = fn(JobHandle(job), **job.params)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job_id, job.task_path)
        _finish_failed(job, f"{type(exc).__name__}: {exc}")
        return {"job": job_id, "status": Status.FAILED}

    # The last progress message ("Indexing tags") is stale once the job is done; the result says the rest.
    Job.objects.filter(pk=job_id).update(
        status=Status.COMPLETED, progress=100, message="", result=result, finished_at=timezone.now()
    )
    job.status, job.progress, job.message, job.result = Status.COMPLETED, 100, "", result
    _notify_finished(job)
    return {"job": job_id, "status": Status.COMPLETED}


def _finish_failed(job: Any, error: str) -> None:
    from guanxi.core.models import Job

    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=error, finished_at=timezone.now())
    job.status, job.error = Job.Status.FAILED, error
    _notify_finished(job)


def _notify_finished(job: Any) -> None:
    """Tell the starter; a failure to notify must not turn a finished job into a failed one."""
    from guanxi.framework.notify import in_language_of, notify

    if job.user is None:
        return
    try:
        from guanxi.framework.i18n import deferred

        name = job.name_message or job.name  # the job's name, translated for the reader too
        if job.status == job.Status.COMPLETED:
            title, level = deferred(gettext_noop("Finished: %(name)s"), name=name), "success"
        else:
            title, level = deferred(gettext_noop("Failed: %(name)s"), name=name), "error"
        with in_language_of(job.user):
            notify(job.user, title, body=job.error, url=reverse("job_detail", args=[job.pk]), level=level)
    except Exception:
        logger.exception("Could not notify the starter of job %s", job.pk)


# --- heartbeat and reclaiming jobs whose worker died -----------------------------------------------


class _Pulse(threading.Thread):
    """Sets a running job's ``heartbeat_at`` every ``interval`` seconds while its function runs.

    Its own thread, hence its own database connection: the beat commits even while the job holds a
    long transaction, so a slow step that reports no progress is not mistaken for a dead worker.
    """

    def __init__(self, job_id: int, interval: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        from guanxi.core.models import Job

        try:
            while not self.stopping.wait(self.interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # the database briefly away: the next beat retries
                    logger.exception("Heartbeat of job %s failed", self.job_id)
                    connection.close()
        finally:
            connection.close()


@contextmanager
def _beating(job_id: int) -> Iterator[None]:
    pulse = _Pulse(job_id, settings.JOB_STALE_SECONDS / 5)
    pulse.start()
    try:
        yield
    finally:
        pulse.stopping.set()
        pulse.join(5)


def stale_jobs(now: dt.datetime | None = None) -> QuerySet:
    """Running jobs with no sign of life for ``JOB_STALE_SECONDS`` (their worker is gone)."""
    from guanxi.core.models import Job

    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    return Job.objects.filter(silent, status=Job.Status.RUNNING)


def reclaim_stale_jobs(now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Retry (when its kind allows and attempts remain) or fail every stale job; tell the starters.

    Each job is reclaimed in its own transaction with a conditional UPDATE, so two sweeps (or a
    job that beats at the last moment) never reclaim it twice. On PostgreSQL a row locked by the
    job's own open transaction is skipped: whoever holds that lock is alive.
    """
    from guanxi.core.models import Job
    from guanxi.framework.notify import in_language_of

    now = now or timezone.now()
    out: dict[str, list[int]] = {"retried": [], "failed": []}
    minutes = max(1, round(settings.JOB_STALE_SECONDS / 60))
    for job_id in list(stale_jobs(now).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            job = stale_jobs(now).select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            task = _task_of(job.task_path)  # imports the job's module, which registers its retries
            retries = JOB_RETRIES.get(job.task_path, 0)
            retry = task is not None and job.attempts <= retries
            with in_language_of(job.user):
                reason = _("The worker running this job stopped (no sign of life for %(minutes)d min).") % {
                    "minutes": minutes
                }
                if retry:
                    message = _("Starting again (attempt %(attempt)d of %(attempts)d).") % {
                        "attempt": job.attempts + 1,
                        "attempts": retries + 1,
                    }
            if retry:
                Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                    status=Job.Status.PENDING,
                    heartbeat_at=None,
                    progress=0,
                    message=message[:300],
                    error=reason,
                )
                transaction.on_commit(functools.partial(_enqueue, task, job.pk))
                out["retried"].append(job.pk)
            else:
                Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                    status=Job.Status.FAILED, error=reason, finished_at=now
                )
                job.status, job.error = Job.Status.FAILED, reason
                transaction.on_commit(functools.partial(_notify_finished, job))
                out["failed"].append(job.pk)
        logger.warning(
            "Job %s (%s) lost its worker: %s", job.pk, job.task_path, "retried" if retry else "failed"
        )
    return out


def _task_of(task_path: str) -> Any:
    """The job's task (importing its module registers its retry count), or None if it is gone."""
    try:
        task = import_string(task_path)
    except ImportError:
        return None
    return task if is_job_task(task) else None
