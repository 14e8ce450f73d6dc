"""The same file imported twice at the same moment creates each record once, on both databases.

Both batches are validated first (neither sees the other's records), then both commit on their
own connections at once: the commit takes the entity type's import lock (``select_for_update`` of
its content-type row on PostgreSQL; SQLite serialises writers) and checks each chunk's keys again
inside it, so the second one skips what the first created. The threads run on their own
connections through the numbering tests' helpers (on SQLite: a shared database file).
"""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.testing.concurrency import in_thread, run_together
from guanxi.imports import engine
from guanxi.imports.models import ImportBatch
from guanxi.imports.tests.conftest import importer

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_commits_of_the_same_file_at_once(make_user, write, shared_database):
    user = importer(make_user, "twice", language="en")
    text = "名称,手机\n" + "".join(f"公司{i},1380013{i:04d}\n" for i in range(50))
    batches = []
    for name in ("a.csv", "b.csv"):
        batch = engine.create_batch(user, Customer, str(write(name, text)), name, match_key="phone")
        engine.validate(batch)
        batches.append(batch.pk)
    shared_database()  # the batches and their staged rows, where the threads look for them

    def commit(index: int) -> None:
        engine.commit(ImportBatch.objects.select_related("user").get(pk=batches[index]))

    outcomes = run_together(2, commit)
    assert outcomes == [None, None], outcomes
    assert in_thread(lambda: Customer.objects.count()) == 50
    counts = in_thread(lambda: sorted((b.created, b.skipped) for b in ImportBatch.objects.all()))
    assert counts == [(0, 50), (50, 0)]


# The killed worker: commits the batch in chunks of 5 and, once the third chunk's records are
# written (inside its transaction, before the commit), says so and waits to be killed.
WORKER = """
import os, sys
import django
django.setup()
from guanxi.imports import engine
from guanxi.imports.models import ImportBatch

engine.CHUNK = engine.CHUNK_POSTGRESQL = 5
calls = []
save_outcome = engine.save_outcome

def save_then_stop(rows, columns):
    save_outcome(rows, columns)
    calls.append(len(rows))
    if len(calls) == 3:
        print("inside chunk 3", flush=True)
        sys.stdin.readline()  # never answered: the test kills the process here

engine.save_outcome = save_then_stop
engine.commit(ImportBatch.objects.select_related("user").get(pk=int(sys.argv[1])))
"""


def _database_url() -> str:
    from django.db import connection

    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    return f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def test_kill_9_mid_chunk_leaves_whole_chunks_and_the_rerun_finishes(make_user, write, shared_database):
    """A worker killed with SIGKILL inside a chunk's transaction (its records written, not
    committed) leaves the chunks before it whole and nothing of that one: records, staging
    statuses, change log and search keys agree; committing again writes each record once."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.models import ObjectChange, SearchEntry
    from guanxi.imports.models import ImportRow

    user = importer(make_user, "killed", language="en")
    text = "名称,手机\n" + "".join(f"公司{i},1380013{i:04d}\n" for i in range(23))
    batch = engine.create_batch(user, Customer, str(write("k.csv", text)), "k.csv", match_key="phone")
    engine.validate(batch)
    shared_database()
    root = str(Path(__file__).resolve().parents[3])  # this checkout's code, whatever is installed
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "PYTHONPATH": root,
    }
    worker = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", WORKER, str(batch.pk)],
        env=env,
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "inside chunk 3"
        # the third chunk's customers are written in the worker's open transaction
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL

    def state() -> tuple[int, int, int, int, int]:
        kind = ContentType.objects.get_for_model(Customer)
        customers = Customer.objects.count()
        created = ImportRow.objects.filter(batch_id=batch.pk, status=ImportRow.Status.CREATED).count()
        logged = ObjectChange.objects.filter(action="create", changed_object_type=kind).count()
        keyed = SearchEntry.objects.filter(content_type=kind).values("object_id").distinct().count()
        valid = ImportRow.objects.filter(batch_id=batch.pk, status=ImportRow.Status.VALID).count()
        return customers, created, logged, keyed, valid

    customers, created, logged, keyed, valid = in_thread(state)
    assert (customers, created, valid) == (10, 10, 13)  # two whole chunks of five
    assert (logged, keyed) == (10, 10)
    in_thread(lambda: engine.commit(ImportBatch.objects.select_related("user").get(pk=batch.pk)))
    assert in_thread(state) == (23, 23, 23, 23, 0)
    phones = in_thread(lambda: list(Customer.objects.values_list("phone", flat=True)))
    assert sorted(phones) == sorted(f"+861380013{i:04d}" for i in range(23))
