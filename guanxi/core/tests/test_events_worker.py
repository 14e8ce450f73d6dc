"""At-least-once delivery survives ``kill -9``: a real ``guanxi worker`` process is killed in the
middle of a delivery, a second worker run delivers every event exactly once.

The subprocess must see the test database: PostgreSQL's test database is shared as it is; SQLite's
in-memory test database is copied to a file for the workers and copied back afterwards.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from guanxi.core.models import Event, EventDelivery, Notification
from guanxi.framework.events import emit
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Gadget

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


class SharedDatabase:
    """The test database as a URL another process can open (SQLite: a file copy)."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.file = tmp_path / "events.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def publish(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def collect(self) -> None:
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)


def worker(db: SharedDatabase, *args: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": db.url,
        "TASK_BACKEND": "database",
        "GUANXI_TEST_APPS": "1",  # the test subscriber lives in the test app
        "LOG_LEVEL": "WARNING",
        **env,
    }
    for name in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"):
        environment.pop(name, None)
    return subprocess.Popen(  # noqa: S603  (our own manage.py)
        [sys.executable, str(MANAGE), "worker", "--no-schedules", "--no-startup-delay", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until ``path`` exists (the worker reached the gate); fail early if the worker died."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{process.stdout.read().decode()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"worker never reached {path.name}:\n{process.communicate()[0].decode()}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_no_event_and_a_rerun_delivers_each_once(make_user, tmp_path):
    rep = make_user("rep")
    with override_settings(TASKS=DB_TASKS):  # no inline delivery: only the workers deliver
        with as_system():
            gadget = Gadget.objects.create(name="秤", code="K-1")
        with as_user(rep):
            pinged = [emit("gadget.pinged", gadget) for _ in range(3)]
    first, second, third = (e.pk for e in pinged)
    gate = tmp_path / "gate"
    gate.mkdir()
    for pk in (second, third):  # the first delivery completes, the second blocks
        (gate / f"block-{pk}").touch()
    db = SharedDatabase(tmp_path)
    db.publish()

    doomed = worker(db, GUANXI_TEST_EVENT_GATE=str(gate))
    try:
        wait_for(gate / f"reached-{second}", doomed)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL

    db.collect()
    states = dict(Event.objects.filter(pk__in=[first, second, third]).values_list("pk", "status"))
    assert states == {first: "done", second: "delivering", third: "delivering"}  # claimed, undelivered
    assert list(Notification.objects.values_list("title", flat=True)) == [f"ping {first}"]

    # A second run (no gate; the dead worker's lease taken over at once) delivers the rest, once.
    rerun = worker(db, "--batch", EVENT_LEASE_SECONDS="0")
    output = rerun.communicate(timeout=120)[0].decode()
    assert rerun.returncode == 0, output

    db.collect()
    assert set(Event.objects.filter(pk__in=[first, second, third]).values_list("status", flat=True)) == {
        "done"
    }
    assert sorted(Notification.objects.values_list("title", flat=True)) == sorted(
        f"ping {pk}" for pk in (first, second, third)
    )
    assert EventDelivery.objects.filter(event_id__in=[first, second, third]).count() == 3
    assert not Event.objects.exclude(status="done").exists()
