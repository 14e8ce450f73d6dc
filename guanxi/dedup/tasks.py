"""The scan job: one entity type's full duplicate scan with a live progress bar."""

from __future__ import annotations

from typing import Any

from guanxi.framework.jobs import JobHandle, job_task


@job_task(retries=1)
def run_scan(job: JobHandle, *, entity: str) -> dict[str, Any]:
    """Scan ``entity`` (``customers.customer``) and replace its candidates (``services.scan``)."""
    from guanxi.dedup.services.scan import scan_entity

    def progress(percent: int, message: str) -> None:
        job.progress(percent, message)

    return scan_entity(entity, progress=progress).as_dict()
