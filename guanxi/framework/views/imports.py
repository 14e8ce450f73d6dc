"""Import pages of every entity: upload a file, map its columns, watch the job, read the report.

``/<prefix>/import/``: GET shows the upload form (and ``?template=csv|xlsx`` downloads a blank
template with the columns in the user's language); POST with a file reads its header, stores
the file privately (default storage, ``imports/``) under a token kept in the session — a user
can only start an import of a file they uploaded — and shows the column mapping with a preview;
POST with the token and the mapping starts an ``import_rows`` job and redirects to its page.
"""

from __future__ import annotations

import csv
import io
import secrets
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View

from guanxi.framework import imports
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin

SESSION_KEY = "guanxi_imports"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (*imports.CSV_SUFFIXES, *imports.SHEET_SUFFIXES)


class ImportView(EntityViewMixin, View):
    """Upload → map → job, for users who may add rows of the entity."""

    action = "add"
    extra_actions = ("import",)
    template_name = "generic/import.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.config.importable:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def prototype(self) -> Any:
        return self.config.form(user=self.request.user)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {**self.base_context(), "max_rows": imports.MAX_ROWS, **extra}

    def get(self, request: AuthedRequest) -> HttpResponse:
        fmt = request.GET.get("template")
        if fmt in ("csv", "xlsx"):
            return self.blank_template(fmt)
        return render(request, self.template_name, self.context(step="upload"))

    def blank_template(self, fmt: str) -> HttpResponse:
        header = imports.template_header(self.prototype())
        name = f"{self.model._meta.model_name}-import-template.{fmt}"
        if fmt == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")
            csv.writer(buffer).writerow(header)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(str(self.model._meta.verbose_name_plural)[:30])
            sheet.append(header)
            out = io.BytesIO()
            book.save(out)
            response = HttpResponse(
                out.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def post(self, request: AuthedRequest) -> HttpResponse:
        if "token" in request.POST:
            return self.start(request)
        return self.upload(request)

    def upload(self, request: AuthedRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Choose a file to import.")
        elif Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            error = _("Upload a .csv, .xlsx or .xls file.")
        elif (upload.size or 0) > MAX_UPLOAD_BYTES:
            error = _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        if error:
            return render(request, self.template_name, self.context(step="upload", error=error), status=422)
        assert upload is not None
        suffix = Path(upload.name or "").suffix.lower()
        stored = default_storage.save(f"imports/{secrets.token_hex(16)}{suffix}", ContentFile(upload.read()))
        try:
            header, rows = imports.read_table(default_storage.path(stored), upload.name or stored)
        except imports.ImportFileError as problem:
            default_storage.delete(stored)
            return render(
                request, self.template_name, self.context(step="upload", error=str(problem)), status=422
            )
        token = secrets.token_urlsafe(16)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"file": stored, "name": upload.name, "model": imports.model_label(self.model)}
        request.session[SESSION_KEY] = pending
        return self.render_mapping(
            request, token, header, rows, imports.guess_mapping(header, self.columns())
        )

    def columns(self) -> list[imports.ImportColumn]:
        return imports.import_columns(self.prototype())

    def render_mapping(
        self,
        request: AuthedRequest,
        token: str,
        header: list[str],
        rows: list[list[Any]],
        mapping: dict[int, str],
        error: str | None = None,
    ) -> HttpResponse:
        preview = [[imports.cell_text(c) for c in row] for row in rows[: imports.PREVIEW_ROWS]]
        mapped_columns = [
            {
                "index": i,
                "title": title,
                "field": mapping.get(i, ""),
                "samples": [r[i] if i < len(r) else "" for r in preview],
            }
            for i, title in enumerate(header)
        ]
        return render(
            request,
            self.template_name,
            self.context(
                step="map",
                token=token,
                columns=mapped_columns,
                fields=self.columns(),
                row_count=len(rows),
                error=error,
            ),
            status=422 if error else 200,
        )

    def start(self, request: AuthedRequest) -> HttpResponse:
        token = request.POST["token"]
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.get(token)
        if entry is None or entry.get("model") != imports.model_label(self.model):
            messages.error(request, _("That upload has expired; choose the file again."))
            return HttpResponseRedirect(reverse(self.url_name("import")))
        header, rows = imports.read_table(default_storage.path(entry["file"]), entry["name"])
        known = {c.name: c for c in self.columns()}
        mapping: dict[int, str] = {}
        for index in range(len(header)):
            name = request.POST.get(f"map_{index}", "")
            if name in known:
                mapping[index] = name
        error = None
        chosen = list(mapping.values())
        doubled = sorted({known[n].label for n in chosen if chosen.count(n) > 1})
        missing = [c.label for c in known.values() if c.required and c.name not in chosen]
        if not mapping:
            error = _("Match at least one column to a field.")
        elif doubled:
            error = _("Each field can take one column only: %(fields)s.") % {"fields": "、".join(doubled)}
        elif missing:
            error = _("These required fields have no column: %(fields)s.") % {"fields": "、".join(missing)}
        if error:
            return self.render_mapping(request, token, header, rows, mapping, error=error)
        from guanxi.core.tasks import import_rows
        from guanxi.framework.i18n import deferred
        from guanxi.framework.jobs import start_job

        del pending[token]
        request.session[SESSION_KEY] = pending
        job = start_job(
            deferred(
                gettext_noop("Import %(type)s from %(file)s"),
                type=self.model._meta.verbose_name_plural,
                file=entry["name"],
            ),
            import_rows,
            user=request.user,
            params={
                "model": entry["model"],
                "file": entry["file"],
                "name": entry["name"],
                "mapping": {str(i): n for i, n in mapping.items()},
                "language": translation.get_language(),  # the report reads as the page did
            },
        )
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))
