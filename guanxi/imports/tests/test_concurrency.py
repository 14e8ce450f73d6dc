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
from guanxi.framework.tests.test_numbering import in_thread, run_together, shared_database  # noqa: F401
from guanxi.imports import engine
from guanxi.imports.models import ImportBatch
from guanxi.imports.tests.conftest import importer

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_commits_of_the_same_file_at_once(make_user, write, shared_database):  # noqa: F811
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
