"""Framework background work: large exports as jobs, and removing their files after a while.

An export above ``EXPORT_DIRECT_MAX_ROWS`` rows runs as ``export_list``: the job rebuilds the list
request (the same query string, as the user who started it, in their language), streams the rows
through the export engine (guanxi/framework/exporting.py) into a file under the default storage
(``exports/<job id>/<name>``) and records the file in the job's result. Only the job's starter
downloads it (``/jobs/<id>/download/``); ``purge_export_files`` removes files older than
``EXPORT_RETENTION_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.framework.jobs import JobHandle, job_task
from guanxi.framework.schedules import periodic

logger = logging.getLogger(__name__)


@job_task(retries=1)  # writes only its own file: safe to start again if its worker dies
def export_list(job: JobHandle, *, model: str, query: str, format: str, language: str = "") -> dict[str, Any]:
    """Export the rows of ``model``'s list that ``query`` (the list's query string) selects."""
    from guanxi.framework.exporting import filename_for, list_export, offline_request
    from guanxi.framework.views import entity_views_for

    config = entity_views_for(model)
    user = job.user
    if user is None:  # the starter's account is gone: nobody may download the file
        raise PermissionError(_("You may not export these records."))
    with translation.override(language or translation.get_language()):
        # checks the export verb again: the starter may have lost it since
        export = list_export(config, offline_request(user, query))
        total = export.count()
        name = filename_for(config.model, format)

        def progress(rows: int) -> None:
            written = _("%(rows)d of %(total)d rows written") % {"rows": rows, "total": total}
            job.progress(95 * rows // max(total, 1), written)

        job.progress(0, _("Writing rows"))
        with tempfile.TemporaryFile() as out:
            rows = export.write(format, out, progress)
            out.seek(0)
            path = default_storage.save(f"exports/{job.id}/{name}", File(out, name=name))
        size = default_storage.size(path)
    export.audit(user, format, source="job", rows=rows, job=job.id)
    return {
        "export": True,
        "rows": rows,
        "file": path,
        "filename": name,
        "size": size,
        "format": format,
        "problems": export.problems,
    }


def export_file_expired(result: Any) -> bool:
    return isinstance(result, dict) and bool(result.get("expired"))


@periodic("purge_export_files", every=dt.timedelta(hours=6))
def purge_export_files() -> dict[str, int]:
    """Delete export files older than ``EXPORT_RETENTION_DAYS`` and mark their jobs expired."""
    from guanxi.core.models import Job

    cutoff = timezone.now() - dt.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    removed = 0
    jobs = Job.objects.filter(
        task_path=export_list.module_path, status=Job.Status.COMPLETED, finished_at__lt=cutoff
    )
    for job in jobs.iterator(chunk_size=200):
        result = dict(job.result or {})
        if result.get("expired"):
            continue
        path = result.get("file")
        if path and default_storage.exists(path):
            default_storage.delete(path)
            removed += 1
        result["expired"] = True
        Job.objects.filter(pk=job.pk).update(result=result)
    return {"removed": removed}
