"""The import job: stage (if not yet), validate and commit a batch with a live progress bar.

Declared ``retries=2``: the engine is resumable (a chunk and its staging rows commit together), so
a worker killed mid-run is safely started again by the stale-job sweep, and carries on with the
rows not written yet.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from guanxi.framework.jobs import JobHandle, job_task
from guanxi.imports.models import ImportBatch

PHASES = {"stage": (0, 10), "validate": (10, 50), "commit": (50, 100)}


class ProgressReporter:
    """Turns the engine's (phase, done, total) into the job's percent and a message with rows/s
    and the time left; writes at most every half second (a cheap UPDATE, but not per chunk of 50)."""

    def __init__(self, job: JobHandle | None, batch: ImportBatch) -> None:
        self.job, self.batch = job, batch
        self.started: dict[str, float] = {}
        self.last_write = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        start = self.started.setdefault(phase, now)
        if self.job is None or (now - self.last_write < 0.5 and done < total):
            return
        self.last_write = now
        low, high = PHASES[phase]
        total = total or self.batch.total or done or 1
        percent = low + (high - low) * min(done / total, 1)
        elapsed = max(now - start, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        verb = {
            "stage": _("Read %(done)s rows"),
            "validate": _("Checked %(done)s of %(total)s rows"),
            "commit": _("Imported %(done)s of %(total)s rows"),
        }[phase] % {"done": f"{done:,}", "total": f"{total:,}"}
        message = _("%(what)s · %(rate)s rows/s · about %(left)s s left") % {
            "what": verb,
            "rate": f"{rate:,.0f}",
            "left": f"{left:,.0f}",
        }
        self.job.progress(percent, message)


@job_task(retries=2)
def run_import(job: JobHandle, *, batch: int, dry_run: bool = False, language: str = "") -> dict[str, Any]:
    """Run import batch ``batch`` as the job's user (see ``guanxi.imports.engine``)."""
    from guanxi.imports import engine

    found = ImportBatch.objects.select_related("user").get(pk=batch)
    if found.job_id != job.id:
        found.job_id = job.id
        found.save(update_fields=["job"])
    reporter = ProgressReporter(job, found)
    with engine.translation_of(found):
        if not found.total:  # not (completely) staged yet: stage() starts the staging over
            engine.stage(found, default_storage.path(found.file) if found.file else "", progress=reporter)
        engine.run(found, dry_run=dry_run, progress=reporter)
    found.refresh_from_db()
    return {**found.summary(), "dry_run": dry_run}
