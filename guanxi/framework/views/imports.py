"""The first step of every entity's import wizard: ``/<prefix>/import/`` (URL name ``<model>_import``).

GET shows the upload form (``?template=csv|xlsx&lang=zh-hans|en`` downloads a blank template with
the importable columns titled in that language); POST checks the upload's name and size before
reading anything, stores it privately (default storage, ``imports/``), reads its header and
creates an ``ImportBatch``, then hands over to the batch's pages (``guanxi.imports.views``):
mapping → check → import with progress → summary, error file and undo.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin


class ImportView(EntityViewMixin, View):
    """Upload a file to import into the entity (needs the ``import`` verb)."""

    action = "view"
    extra_actions = ("import",)
    template_name = "imports/upload.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.config.importable:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra: Any) -> dict[str, Any]:
        from django.conf import settings

        from guanxi.imports.models import ImportBatch

        recent = ImportBatch.objects.filter(user=self.request.user, entity=self.model._meta.label_lower)[:5]
        return {**self.base_context(), "max_mb": settings.IMPORT_MAX_MB, "recent": recent, **extra}

    def get(self, request: AuthedRequest) -> HttpResponse:
        fmt = request.GET.get("template")
        if fmt in ("csv", "xlsx"):
            language = request.GET.get("lang") or translation.get_language()
            return self.blank_template(fmt, language if language in ("en", "zh-hans") else "en")
        return render(request, self.template_name, self.context())

    def blank_template(self, fmt: str, language: str) -> HttpResponse:
        from guanxi.imports.views import blank_template

        return blank_template(self.model, self.request.user, fmt, language)

    def post(self, request: AuthedRequest) -> HttpResponse:
        from guanxi.imports import engine
        from guanxi.imports.reading import ENCODINGS, ImportFileError, check_upload, open_table

        upload = request.FILES.get("file")
        encoding = request.POST.get("encoding", "")
        if upload is None:
            return self.refuse(_("Choose a file to import."))
        if encoding not in ("", *ENCODINGS):
            return self.refuse(_("Unknown encoding: %(name)s.") % {"name": encoding[:20]})
        name = Path(upload.name or "").name[:200]
        try:
            check_upload(name, upload.size or 0)  # before anything reads the file
        except ImportFileError as problem:
            return self.refuse(str(problem))
        stored = default_storage.save(f"imports/{secrets.token_hex(16)}{Path(name).suffix.lower()}", upload)
        try:
            with open_table(
                default_storage.path(stored), name, encoding=encoding, sheet=request.POST.get("sheet", "")
            ) as table:
                header, encoding, sheet = table.header, table.encoding, table.sheet
                if next(table.rows, None) is None:
                    raise ImportFileError(_("The file has column titles but no data rows."))
        except ImportFileError as problem:
            default_storage.delete(stored)
            return self.refuse(str(problem))
        batch = engine.create_batch(
            request.user,
            self.model,
            default_storage.path(stored),
            name,
            stage_now=False,  # the job stages it
            file=stored,
            encoding=encoding,
            sheet=sheet,
            header=header,
        )
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))

    def refuse(self, message: str) -> HttpResponse:
        return render(self.request, self.template_name, self.context(error=message), status=422)
