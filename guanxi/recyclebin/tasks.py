"""The recycle bin's background work: the nightly purge and the bulk delete of many rows as a job."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from guanxi.framework.context import Source, actor_context
from guanxi.framework.jobs import JobHandle, job_task
from guanxi.framework.schedules import periodic

CHUNK = 500


@periodic("purge_recycle_bin", at="03:40")
def purge_recycle_bin() -> dict[str, Any]:
    """Remove the entries older than ``RECYCLE_BIN_DAYS`` (and their attachments' files)."""
    from guanxi.recyclebin.services import purge_expired

    with actor_context(None, source=Source.TASK):
        return {"purged": purge_expired()}


@job_task
def delete_records(job: JobHandle, *, model: str, ids: list[int]) -> dict[str, Any]:
    """Delete the rows ``ids`` of ``model`` (``app_label.model``) the job's user may delete, into
    the recycle bin, ``CHUNK`` rows per transaction with the change log and events buffered. A row
    other records still need (or a locked one) is skipped and counted, the others are deleted."""
    from guanxi.framework import changes
    from guanxi.framework.querysets import model_queryset
    from guanxi.framework.write import delete_objects

    entity = apps.get_model(model)
    allowed = model_queryset(entity).restrict(job.user, "delete")
    deleted = skipped = 0
    total = len(ids)
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic(), changes.buffered():
            rows = list(allowed.filter(pk__in=chunk))
            skipped += len(chunk) - len(rows)  # gone meanwhile, or outside the user's scope
            try:
                with transaction.atomic():
                    delete_objects(rows, actor=job.user)
                deleted += len(rows)
            except (ProtectedError, RestrictedError, ValidationError):
                for row in rows:  # one by one: delete what can be, skip what is still needed
                    try:
                        with transaction.atomic():
                            delete_objects([row], actor=job.user)
                        deleted += 1
                    except (ProtectedError, RestrictedError, ValidationError):
                        skipped += 1
        job.progress(100 * min(total, start + CHUNK) / max(total, 1), _("Deleting records"))
    return {"deleted": deleted, "skipped": skipped}
