"""Periodic schedules declared in code, run by the scheduler loop of ``guanxi worker``/``scheduler``.

::

    @periodic("prune_finished_jobs", every=timedelta(hours=1))
    def prune_finished_jobs() -> dict: ...

    @periodic("daily_reminders", at="08:30")      # every day at 08:30 in settings.TIME_ZONE
    def send_daily_reminders() -> None: ...

The decorated function becomes a django.tasks task on the ``schedules`` queue; the scheduler only
*enqueues* it when due, a worker runs it. Schedules live in each app's ``tasks`` module, which
the scheduler imports (``autodiscover_modules("tasks")``) before its first pass.

Exactly once, with any number of schedulers: each schedule has a ``core.ScheduleState`` row
holding ``next_run_at``. A scheduler *claims* a due run with one conditional UPDATE::

    UPDATE core_schedulestate SET last_run_at = now, next_run_at = <next>
     WHERE name = 'x' AND next_run_at <= now

The database executes the WHERE and the SET atomically for the row, so of two schedulers that
race, the first UPDATE moves ``next_run_at`` into the future and the second matches no row
(returns 0) and enqueues nothing — no lock held between "is it due?" and "mark it done". The
claim and the enqueue share a transaction, so with the database task backend a crash between them
loses nothing and doubles nothing. A scheduler that was down does not replay missed runs: the
next run is computed from *now*.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task as django_task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

SCHEDULE_QUEUE = "schedules"


@dataclass(frozen=True)
class Schedule:
    """One periodic task: run every ``every``, or daily at ``at`` (``"HH:MM"``, site time zone)."""

    name: str
    task: Any
    every: dt.timedelta | None = None
    at: dt.time | None = None

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """The next run strictly after ``now``."""
        if self.every is not None:
            return now + self.every
        assert self.at is not None
        tz = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(tz)
        candidate = dt.datetime.combine(local.date(), self.at, tzinfo=tz)
        if candidate <= local:
            candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at, tzinfo=tz)
        return candidate.astimezone(dt.UTC)

    def first_run(self, now: dt.datetime) -> dt.datetime:
        """Interval schedules run as soon as first seen; daily ones wait for their time of day."""
        return now if self.every is not None else self.next_after(now)


SCHEDULES: dict[str, Schedule] = {}


def _parse_at(at: str) -> dt.time:
    try:
        hours, minutes = at.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f'at={at!r} must be "HH:MM" (24-hour clock)') from exc


def periodic(name: str, *, every: dt.timedelta | None = None, at: str | None = None) -> Callable[[Any], Any]:
    """Register a function (or an existing task) to be enqueued every ``every`` or daily ``at``."""
    if (every is None) == (at is None):
        raise ValueError("periodic() needs exactly one of every= or at=")
    if every is not None and every < dt.timedelta(minutes=1):
        raise ValueError("the scheduler wakes every 30 seconds; schedules run at most once a minute")

    def decorate(obj: Any) -> Any:
        task = obj if hasattr(obj, "enqueue") else django_task(obj, queue_name=SCHEDULE_QUEUE)
        SCHEDULES[name] = Schedule(name=name, task=task, every=every, at=_parse_at(at) if at else None)
        return task

    return decorate


_discovered = False


def discover() -> dict[str, Schedule]:
    """Import every installed app's ``tasks`` module so their ``@periodic`` schedules register."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return SCHEDULES


def run_due_schedules(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every schedule due at ``now`` exactly once; returns the names enqueued."""
    from guanxi.core.models import ScheduleState

    now = now or timezone.now()
    schedules = discover()
    known = set(ScheduleState.objects.filter(name__in=schedules).values_list("name", flat=True))
    missing = [
        ScheduleState(name=s.name, next_run_at=s.first_run(now))
        for s in schedules.values()
        if s.name not in known
    ]
    if missing:
        # Two schedulers may both find a row missing; the unique name makes one insert a no-op.
        ScheduleState.objects.bulk_create(missing, ignore_conflicts=True)

    enqueued = []
    for schedule in schedules.values():
        try:
            with transaction.atomic():
                claimed = ScheduleState.objects.filter(
                    Q(next_run_at__lte=now) | Q(next_run_at__isnull=True), name=schedule.name
                ).update(last_run_at=now, next_run_at=schedule.next_after(now))
                if claimed:
                    schedule.task.using(queue_name=SCHEDULE_QUEUE).enqueue()
        except Exception:
            # One broken schedule must not stop the others.
            logger.exception("Could not enqueue schedule %s", schedule.name)
            continue
        if claimed:
            logger.info("Enqueued schedule %s", schedule.name)
            enqueued.append(schedule.name)
    return enqueued
