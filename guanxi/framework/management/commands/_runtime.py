"""Background loops shared by ``guanxi worker`` and ``guanxi scheduler``: schedules and heartbeat.

Each loop is a daemon thread with its own database connection (Django connections are per
thread), woken by an ``Event`` so a shutdown does not wait out a sleep. A failing pass (database
briefly down, a locked SQLite file) is logged and retried on the next tick: the loops must
outlive transient errors, since the worker process around them keeps running.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

logger = logging.getLogger("guanxi.worker")

SCHEDULER_INTERVAL = 30.0
HEARTBEAT_INTERVAL = 15.0
EVENTS_INTERVAL = 2.0


def worker_id() -> str:
    """``hostname:pid``, at most 64 characters (the db_worker limit)."""
    pid = str(os.getpid())
    return f"{socket.gethostname()[: 63 - len(pid)]}:{pid}"


class Loop(threading.Thread):
    """Call ``step`` every ``interval`` seconds until ``stop()`` (the caller runs the first pass)."""

    def __init__(
        self, name: str, step: Callable[[], object], interval: float, stopping: threading.Event | None = None
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.step = step
        self.interval = interval
        self.stopping = stopping or threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                run_step(self.name, self.step)
        finally:
            connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def run_step(name: str, step: Callable[[], object]) -> None:
    """One pass of a loop; errors are logged, never raised (the next pass retries)."""
    try:
        step()
    except Exception:
        logger.exception("%s pass failed; retrying on the next pass", name)
        connection.close()  # a broken connection is replaced on the next pass


def run_schedules_once() -> None:
    from guanxi.framework.schedules import run_due_schedules

    names = run_due_schedules(timezone.now())
    if names:
        logger.info("Scheduler enqueued: %s", ", ".join(names))


def run_events_once(wid: str) -> None:
    """Deliver every due event (``guanxi.framework.events.dispatch``) as worker ``wid``."""
    from guanxi.framework.events.dispatch import drain

    count = drain(worker=wid)
    if count:
        logger.info("Dispatched %d events", count)


class Heartbeat:
    """Writes this worker's ``core.WorkerHeartbeat`` row; removes it on a clean stop."""

    def __init__(self, backend: str, wid: str | None = None) -> None:
        self.worker_id = wid or worker_id()
        self.backend = backend
        self.started_at = timezone.now()

    def beat(self) -> None:
        from guanxi.core.models import WorkerHeartbeat

        host, _sep, pid = self.worker_id.rpartition(":")
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"last_seen": timezone.now()},
            create_defaults={
                "hostname": host,
                "pid": int(pid),
                "backend": self.backend,
                "started_at": self.started_at,
                "last_seen": timezone.now(),
            },
        )

    def remove(self) -> None:
        from guanxi.core.models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.exception("Could not remove heartbeat of %s", self.worker_id)
