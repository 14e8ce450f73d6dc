"""Jobs whose worker died: the heartbeat, the reclaiming sweep (retry or fail), and /healthz."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from guanxi.core.models import Job, Notification
from guanxi.framework.context import Source, actor_context
from guanxi.framework.jobs import JobHandle, job_task, reclaim_stale_jobs, stale_jobs, start_job
from guanxi.framework.schedules import discover

pytestmark = pytest.mark.django_db

runs: list[int] = []


@job_task
def import_once(job: JobHandle) -> dict:
    """Not safe to repeat: never retried."""
    runs.append(job.id)
    return {"rows": 1}


@job_task(retries=1)
def rebuild(job: JobHandle) -> dict:
    runs.append(job.id)
    return {"rebuilt": True}


@job_task
def slow_without_progress(job: JobHandle) -> dict:
    started = Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.id)
    time.sleep(0.8)
    later = Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.id)
    return {"beaten": started is not None and later is not None and later > started}


@pytest.fixture(autouse=True)
def _reset_runs():
    runs.clear()


@pytest.fixture
def alice(django_user_model):
    with actor_context(None, source=Source.TEST):
        return django_user_model.objects.create_user("alice", password="x-long-password", language="zh-hans")


def running(task, user, *, seconds_ago: int, attempts: int = 1, progress: int = 69) -> Job:
    beat = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return Job.objects.create(
        name="导入客户",
        task_path=task.module_path,
        user=user,
        status=Job.Status.RUNNING,
        progress=progress,
        message="Writing rows",
        started_at=beat - dt.timedelta(seconds=30),
        heartbeat_at=beat,
        attempts=attempts,
    )


@override_settings(JOB_STALE_SECONDS=300)
def test_the_sweep_fails_a_job_whose_worker_stopped_and_tells_the_starter(
    alice, django_capture_on_commit_callbacks
):
    dead = running(import_once, alice, seconds_ago=301)
    alive = running(import_once, alice, seconds_ago=60)
    waiting = Job.objects.create(name="w", task_path=import_once.module_path, user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert reclaim_stale_jobs() == {"retried": [], "failed": [dead.pk]}
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED
    assert dead.error == "运行此任务的后台进程已停止（5 分钟没有任何进展）。"
    assert dead.finished_at is not None
    assert dead.progress == 69  # how far it got stays visible
    note = Notification.objects.get(recipient=alice)
    assert (note.title, note.level, note.body) == ("失败：导入客户", "error", dead.error)
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=waiting.pk).status == Job.Status.PENDING
    assert runs == []  # not run again: an import is not safe to repeat
    with django_capture_on_commit_callbacks(execute=True):
        assert reclaim_stale_jobs() == {"retried": [], "failed": []}  # once only
    assert Notification.objects.count() == 1


@override_settings(JOB_STALE_SECONDS=300)
def test_a_job_kind_that_allows_it_is_started_again_a_bounded_number_of_times(
    alice, django_capture_on_commit_callbacks
):
    first = running(rebuild, alice, seconds_ago=900, attempts=1)
    used_up = running(rebuild, alice, seconds_ago=900, attempts=2)
    with django_capture_on_commit_callbacks(execute=True):  # the immediate backend runs it on commit
        assert reclaim_stale_jobs() == {"retried": [first.pk], "failed": [used_up.pk]}
    first.refresh_from_db()
    assert (first.status, first.attempts, first.result, first.error) == (
        Job.Status.COMPLETED,
        2,
        {"rebuilt": True},
        "",
    )
    assert runs == [first.pk]
    assert Job.objects.get(pk=used_up.pk).status == Job.Status.FAILED


def test_a_retried_job_waits_with_the_reason_until_a_worker_takes_it(
    alice, django_capture_on_commit_callbacks
):
    job = running(rebuild, alice, seconds_ago=10_000)
    with django_capture_on_commit_callbacks(execute=False):
        reclaim_stale_jobs()
    job.refresh_from_db()
    assert (job.status, job.progress, job.heartbeat_at) == (Job.Status.PENDING, 0, None)
    assert job.message == "重新开始（第 2 次，共 2 次）。"
    assert job.error.startswith("运行此任务的后台进程已停止")


def test_the_claim_and_progress_beat_and_jobs_from_before_the_heartbeat_count_from_their_start(alice):
    job = Job.objects.create(name="x", task_path=import_once.module_path, user=alice)
    import_once.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.COMPLETED, 1)
    assert job.heartbeat_at is not None and job.heartbeat_at >= job.started_at

    old = running(import_once, alice, seconds_ago=10_000)
    JobHandle(old).progress(70, "still here")
    assert not stale_jobs().filter(pk=old.pk).exists()

    legacy = running(import_once, alice, seconds_ago=10_000)
    Job.objects.filter(pk=legacy.pk).update(heartbeat_at=None)
    assert list(stale_jobs().values_list("pk", flat=True)) == [legacy.pk]


@pytest.mark.django_db(transaction=True)
@override_settings(JOB_STALE_SECONDS=1)  # a beat every 0.2 s
def test_a_job_busy_without_reporting_progress_keeps_beating(alice):
    job = start_job("Slow", slow_without_progress, user=alice)  # autocommit: runs now, inline
    job.refresh_from_db()
    assert (job.status, job.result) == (Job.Status.COMPLETED, {"beaten": True})


def test_the_sweep_is_a_schedule_every_minute(alice):
    from guanxi.core.tasks import reclaim_stale_jobs as scheduled

    schedule = discover()["reclaim_stale_jobs"]
    assert (schedule.every, schedule.task) == (dt.timedelta(minutes=1), scheduled)
    running(import_once, alice, seconds_ago=10_000)
    assert scheduled.call() == {"retried": 0, "failed": 1}


@override_settings(JOB_STALE_SECONDS=300)
def test_healthz_reports_stale_jobs_until_they_are_reclaimed(client, alice):
    from guanxi.framework.views import health

    health._migrations_verified = False
    ok = client.get("/healthz").json()
    assert (ok["status"], ok["tasks"]["stale_jobs"]) == ("ok", 0)
    running(import_once, alice, seconds_ago=60)
    running(import_once, alice, seconds_ago=400)
    running(import_once, alice, seconds_ago=4000)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["tasks"]["stale_jobs"], body["tasks"]["ok"]) == ("degraded", 2, False)
    with translation.override("en"):
        reclaim_stale_jobs()
    assert client.get("/healthz").json()["tasks"]["stale_jobs"] == 0
