"""The same file imported twice at the same moment creates each record once (PostgreSQL).

Both batches are validated first (neither sees the other's records), then both commit on their
own connections at once: the commit takes the entity type's import lock (``select_for_update`` of
its content-type row) and checks each chunk's keys again inside it, so the second one skips what
the first created. SQLite's in-memory test database refuses concurrent writers instead of waiting,
so the test runs on PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from guanxi.customers.models import Customer
from guanxi.imports import engine
from guanxi.imports.models import ImportBatch
from guanxi.imports.tests.conftest import importer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite refuses concurrent writers"),
]


def test_two_commits_of_the_same_file_at_once(make_user, write):
    user = importer(make_user, "twice", language="en")
    text = "名称,手机\n" + "".join(f"公司{i},1380013{i:04d}\n" for i in range(50))
    batches = []
    for name in ("a.csv", "b.csv"):
        batch = engine.create_batch(user, Customer, str(write(name, text)), name, match_key="phone")
        engine.validate(batch)
        batches.append(batch.pk)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def commit(pk: int) -> None:
        try:
            barrier.wait()
            engine.commit(ImportBatch.objects.select_related("user").get(pk=pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=commit, args=(pk,)) for pk in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.count() == 50
    counts = sorted((b.created, b.skipped) for b in ImportBatch.objects.all())
    assert counts == [(0, 50), (50, 0)]
