"""Periodic schedules: exactly-once claiming, daily times in the site time zone, housekeeping."""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from django.core.management import call_command
from django.tasks import task
from django.test import override_settings
from django.utils import timezone

from guanxi.core.models import Job, ScheduleState, WorkerHeartbeat
from guanxi.core.tasks import prune_finished_jobs
from guanxi.framework import schedules
from guanxi.framework.management.commands._runtime import Heartbeat, worker_id
from guanxi.framework.schedules import Schedule, periodic, run_due_schedules
from guanxi.framework.testing.concurrency import run_together

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 in Asia/Shanghai
runs: list[str] = []


@task(queue_name="schedules")
def count_run() -> None:
    runs.append("ran")


@pytest.fixture
def only_test_schedules(monkeypatch):
    """Swap the registry for one hourly and one daily test schedule."""
    registry = {
        "hourly_test": Schedule("hourly_test", count_run, every=dt.timedelta(hours=1)),
        "daily_test": Schedule("daily_test", count_run, at=dt.time(23, 0)),
    }
    monkeypatch.setattr(schedules, "SCHEDULES", registry)
    monkeypatch.setattr(schedules, "_discovered", True)
    runs.clear()
    return registry


def test_same_moment_twice_enqueues_once(only_test_schedules):
    assert run_due_schedules(NOW) == ["hourly_test"]
    assert run_due_schedules(NOW) == []
    assert runs == ["ran"]
    state = ScheduleState.objects.get(name="hourly_test")
    assert (state.last_run_at, state.next_run_at) == (NOW, NOW + dt.timedelta(hours=1))


def test_interval_schedule_runs_again_when_due(only_test_schedules):
    run_due_schedules(NOW)
    assert run_due_schedules(NOW + dt.timedelta(minutes=59)) == []
    assert run_due_schedules(NOW + dt.timedelta(hours=1)) == ["hourly_test"]
    assert runs == ["ran", "ran"]


def test_daily_schedule_waits_for_its_time_in_the_site_time_zone(only_test_schedules):
    run_due_schedules(NOW)
    daily = ScheduleState.objects.get(name="daily_test")
    # 23:00 Shanghai on the same day is 15:00 UTC.
    assert (daily.last_run_at, daily.next_run_at) == (None, dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))
    assert "daily_test" not in run_due_schedules(dt.datetime(2026, 3, 2, 14, 59, tzinfo=dt.UTC))
    assert run_due_schedules(dt.datetime(2026, 3, 2, 15, 0, 20, tzinfo=dt.UTC)) == ["daily_test"]
    daily.refresh_from_db()
    assert daily.next_run_at == dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)


def test_a_missed_run_is_not_replayed(only_test_schedules):
    run_due_schedules(NOW)
    late = NOW + dt.timedelta(hours=5, minutes=10)
    assert run_due_schedules(late) == ["hourly_test"]
    assert ScheduleState.objects.get(name="hourly_test").next_run_at == late + dt.timedelta(hours=1)
    assert runs == ["ran", "ran"]


@pytest.mark.django_db(transaction=True)
def test_racing_schedulers_enqueue_once(only_test_schedules, shared_database):
    run_due_schedules(NOW)  # creates the rows
    runs.clear()
    shared_database()  # on SQLite the four schedulers wait for the write lock, as in production
    later = NOW + dt.timedelta(hours=1)

    results = run_together(4, lambda _i: run_due_schedules(later))

    assert sorted(results, key=len) == [[], [], [], ["hourly_test"]]
    assert runs == ["ran"]


def test_periodic_validates_its_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        periodic("x")
    with pytest.raises(ValueError, match="exactly one"):
        periodic("x", every=dt.timedelta(hours=1), at="08:00")
    with pytest.raises(ValueError, match="at most once a minute"):
        periodic("x", every=dt.timedelta(seconds=10))
    with pytest.raises(ValueError, match='"HH:MM"'):
        periodic("x", at="8am")(count_run)


def test_platform_schedules_are_discovered():
    registered = schedules.discover()
    assert registered["prune_finished_jobs"].every == dt.timedelta(hours=1)
    assert registered["prune_finished_jobs"].task is prune_finished_jobs


def test_prune_finished_jobs_keeps_recent_and_unfinished_work():
    now = timezone.now()
    old = now - dt.timedelta(days=31)
    Job.objects.create(name="old done", task_path="x", status=Job.Status.COMPLETED, finished_at=old)
    Job.objects.create(name="old failed", task_path="x", status=Job.Status.FAILED, finished_at=old)
    Job.objects.create(
        name="recent", task_path="x", status=Job.Status.COMPLETED, finished_at=now - dt.timedelta(days=29)
    )
    Job.objects.create(name="waiting", task_path="x", status=Job.Status.PENDING)
    WorkerHeartbeat.objects.create(
        worker_id="gone:1",
        hostname="gone",
        pid=1,
        backend="x",
        started_at=old,
        last_seen=now - dt.timedelta(days=2),
    )
    WorkerHeartbeat.objects.create(
        worker_id="alive:2", hostname="alive", pid=2, backend="x", started_at=old, last_seen=now
    )

    result = prune_finished_jobs.call()

    assert result == {"jobs": 2, "task_results": 0, "heartbeats": 1}
    assert sorted(Job.objects.values_list("name", flat=True)) == ["recent", "waiting"]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive:2"]


def test_prune_finished_jobs_deletes_old_database_task_results():
    from django_tasks_db.models import DBTaskResult

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "schedules"]}}
    ):
        old, recent, waiting = (count_run.enqueue(), count_run.enqueue(), count_run.enqueue())
        DBTaskResult.objects.filter(pk__in=[old.id, recent.id]).update(status="SUCCESSFUL")
        DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - dt.timedelta(days=8))
        DBTaskResult.objects.filter(pk=recent.id).update(finished_at=timezone.now() - dt.timedelta(days=6))

        assert prune_finished_jobs.call() == {"jobs": 0, "task_results": 1, "heartbeats": 0}
        assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
            DBTaskResult.objects.get(pk=recent.id).pk,
            DBTaskResult.objects.get(pk=waiting.id).pk,
        }


def test_scheduler_command_once_enqueues_due_schedules(only_test_schedules):
    call_command("scheduler", "--once")
    assert runs == ["ran"]
    assert ScheduleState.objects.get(name="hourly_test").last_run_at is not None


def test_heartbeat_writes_updates_and_removes_its_row():
    beat = Heartbeat("django_tasks_db.DatabaseBackend")
    assert beat.worker_id == f"{socket.gethostname()}:{os.getpid()}"[:64] == worker_id()
    beat.beat()
    row = WorkerHeartbeat.objects.get()
    first_seen = row.last_seen
    assert (row.worker_id, row.hostname, row.pid, row.backend) == (
        beat.worker_id,
        socket.gethostname(),
        os.getpid(),
        "django_tasks_db.DatabaseBackend",
    )
    beat.beat()
    row.refresh_from_db()
    assert WorkerHeartbeat.objects.count() == 1 and row.last_seen >= first_seen
    beat.remove()
    assert WorkerHeartbeat.objects.count() == 0
