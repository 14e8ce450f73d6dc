"""Two managers save the same new cells of a grid at the same moment: one target per cell
survives, and each save either wins or is told to reload (409) — never a 500, never a duplicate.

Both run for real on PostgreSQL (the second insert waits on the unique index, then fails and is
answered with a conflict) and on SQLite (a shared database file, where the second writer waits
for the write lock: ``guanxi.framework.testing.concurrency``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.framework.testing.concurrency import in_thread, run_together
from guanxi.framework.testing.fixtures import as_user
from guanxi.targets import services
from guanxi.targets.models import Target
from guanxi.targets.tests.conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_saves_of_the_same_cells_leave_one_target_each(org, shared_database):
    subjects = services.grid_subjects(org.east1)
    shared_database()  # the organisation, where the threads look for it
    writers = [(org.manager1, "1000"), (org.director, "2000")]

    def save(index: int) -> str:
        actor, amount = writers[index]
        cells = {(f"u{org.rep1.pk}", f"m{m:02d}"): amount for m in range(1, 13)}
        try:
            with as_user(actor):
                services.save_grid(actor=actor, measure="signed", year=YEAR, subjects=subjects, cells=cells)
        except services.Conflict:
            return "conflict"
        return "saved"

    results = run_together(2, save)

    assert "saved" in results and set(results) <= {"saved", "conflict"}, results
    amounts = in_thread(
        lambda: list(
            Target.objects.filter(user=org.rep1, measure="signed", year=YEAR).values_list("amount", flat=True)
        )
    )
    assert len(amounts) == 12
    assert len(set(amounts)) == 1  # one writer's row, all or none of its cells
    assert set(amounts) <= {Decimal("1000.00"), Decimal("2000.00")}
