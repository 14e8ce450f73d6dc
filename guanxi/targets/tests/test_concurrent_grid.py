"""Two managers save the same new cells of a grid at the same moment: one target per cell
survives, and each save either wins or is told to reload (409) — never a 500, never a duplicate.

PostgreSQL runs both for real (the second insert waits on the unique index, then fails and is
answered with a conflict); SQLite's in-memory test database refuses concurrent access instead.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection

from guanxi.framework.testing.fixtures import as_user
from guanxi.targets import services
from guanxi.targets.models import Target
from guanxi.targets.tests.conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_saves_of_the_same_cells_leave_one_target_each(org):
    subjects = services.grid_subjects(org.east1)
    barrier = threading.Barrier(2)
    results: list[str] = ["", ""]

    def save(index: int, actor, amount: str) -> None:
        cells = {(f"u{org.rep1.pk}", f"m{m:02d}"): amount for m in range(1, 13)}
        barrier.wait()
        try:
            with as_user(actor):
                services.save_grid(actor=actor, measure="signed", year=YEAR, subjects=subjects, cells=cells)
            results[index] = "saved"
        except services.Conflict:
            results[index] = "conflict"
        except OperationalError:
            results[index] = "refused"  # SQLite's in-memory database only
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(0, org.manager1, "1000")),
        threading.Thread(target=save, args=(1, org.director, "2000")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "saved" in results and set(results) <= {"saved", "conflict", "refused"}
    rows = Target.objects.filter(user=org.rep1, measure="signed", year=YEAR)
    assert rows.count() == 12
    assert len({row.amount for row in rows}) == 1  # one writer's row, all or none of its cells
    assert {row.amount for row in rows} <= {Decimal("1000.00"), Decimal("2000.00")}
    if connection.vendor == "postgresql":
        assert "refused" not in results
