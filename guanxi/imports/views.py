"""The import wizard after the upload: ``/imports/<id>/`` and its actions.

One page follows the batch through its life, each state showing what the user does next:

* **staged** — match the columns (guessed from the titles, in either language), choose the mode,
  the match key and the duplicate policy, apply or save a named mapping, value mappings for choice
  fields; "Check" starts a dry run, "Import" the real one (both are background jobs);
* **running** — a progress bar with rows/s and time left (the partial is polled), and Cancel;
* **validated** — what the check found: rows ready, rows with errors (the first ones listed, all of
  them in the error file), then "Import the good rows" or all-or-nothing;
* **completed / cancelled / failed / undone** — the counts, links to the records, the error file,
  and Undo.

Only the user who uploaded the file (or a superuser) sees a batch; anyone else gets 404.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from guanxi.framework.http import AuthedRequest
from guanxi.imports import engine
from guanxi.imports.fields import check_mapping, header_key, importable_fields
from guanxi.imports.models import ImportBatch, ImportRow, SavedMapping
from guanxi.imports.reading import ImportFileError, open_table

PREVIEW_ROWS = 5
ERRORS_SHOWN = 20
RECORDS_SHOWN = 20


def _batch(request: AuthedRequest, pk: int) -> ImportBatch:
    """The batch, if the user may see it (``visible_to``); 404 otherwise, as if it did not exist."""
    batches = ImportBatch.objects.visible_to(request.user).select_related("job", "user")
    return get_object_or_404(batches, pk=pk)


def _running(batch: ImportBatch) -> bool:
    return batch.job is not None and not batch.job.is_finished


def _list_url(model: Any) -> str:
    try:
        return reverse(f"{model._meta.app_label}:{model._meta.model_name}_list")
    except NoReverseMatch:
        return "/"


def _preview(batch: ImportBatch) -> list[list[str]]:
    """The first rows of the file as read (from the staging rows once staged, else the file)."""
    rows = list(batch.rows.order_by("number").values_list("raw", flat=True)[:PREVIEW_ROWS])
    if rows or not batch.file:
        return [[engine.cells.text(c) for c in row] for row in rows]
    try:
        with open_table(
            default_storage.path(batch.file), batch.file_name, encoding=batch.encoding, sheet=batch.sheet
        ) as table:
            out = []
            for _n, cells in table.rows:
                out.append([engine.cells.text(c) for c in cells])
                if len(out) >= PREVIEW_ROWS:
                    break
            return out
    except (ImportFileError, OSError):
        return []


def _context(request: AuthedRequest, batch: ImportBatch, **extra: Any) -> dict[str, Any]:
    model = engine.model_of(batch)
    fields = importable_fields(model, request.user)
    preview = _preview(batch) if batch.status == ImportBatch.Status.STAGED and not _running(batch) else []
    columns = [
        {
            "index": i,
            "title": title,
            "field": batch.mapping.get(str(i), ""),
            "samples": [row[i] if i < len(row) else "" for row in preview],
        }
        for i, title in enumerate(batch.header)
    ]
    problems = batch.rows.filter(status__in=[ImportRow.Status.ERROR, ImportRow.Status.REVIEW]).order_by(
        "number"
    )
    written = batch.rows.filter(status__in=[ImportRow.Status.CREATED, ImportRow.Status.UPDATED]).order_by(
        "number"
    )
    records = []
    if batch.status in (ImportBatch.Status.COMPLETED, ImportBatch.Status.CANCELLED):
        # an order imported with its lines: its rows share the order, shown once
        ids = list(dict.fromkeys(written.values_list("object_id", flat=True)[: RECORDS_SHOWN * 20]))
        ids = ids[:RECORDS_SHOWN]
        found = model._default_manager.in_bulk(ids)
        records = [found[i] for i in ids if i in found]
    return {
        "batch": batch,
        "running": _running(batch),
        "verbose_name_plural": model._meta.verbose_name_plural,
        "model_name": model._meta.model_name,
        "list_url": _list_url(model),
        "import_url": reverse(f"{model._meta.app_label}:{model._meta.model_name}_import"),
        "columns": columns,
        "fields": fields,
        "match_fields": [f for f in fields if f.name in engine.spec_for(model).match_keys],
        "choice_fields": [f for f in fields if f.kind == "choice" and f.name in batch.mapping.values()],
        "value_map_text": _value_map_text(batch, fields),
        "saved": SavedMapping.objects.filter(entity=batch.entity, user=request.user),
        "problems": problems[:ERRORS_SHOWN],
        "records": records,
        "modes": ImportBatch.Mode.choices,
        "policies": ImportBatch.Policy.choices,
        **extra,
    }


def _value_map_text(batch: ImportBatch, fields: list[Any]) -> str:
    labels = {f.name: f.label for f in fields}
    return "\n".join(
        f"{labels.get(name, name)}: {text} = {value}"
        for name, pairs in batch.value_map.items()
        for text, value in pairs.items()
    )


def _parse_value_map(text: str, fields: list[Any]) -> dict[str, dict[str, str]]:
    """Lines "级别: A类 = A" (field label or name, the file's text, the choice) → a value map."""
    by_key = {}
    for info in fields:
        if info.kind == "choice":
            by_key.update(dict.fromkeys(info.aliases, info))
    out: dict[str, dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        field_part, _sep, rest = line.replace("：", ":").partition(":")
        source, _eq, target = rest.partition("=")
        info = by_key.get(header_key(field_part))
        if info is None or not source.strip() or not target.strip():
            raise ValidationError(
                _("Value mapping line %(n)s: write it as “field: text in the file = choice”.") % {"n": number}
            )
        choice = next((key for key, names in info.choices if header_key(target) in names), None)
        if choice is None:
            raise ValidationError(
                _("Value mapping line %(n)s: “%(value)s” is not a choice of %(field)s.")
                % {"n": number, "value": target.strip()[:50], "field": info.label}
            )
        out.setdefault(info.name, {})[source.strip()] = choice
    return out


@login_required
def batch_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The batch in its current state (GET), or the mapping form's actions (POST)."""
    batch = _batch(request, pk)
    if request.method == "POST":
        return _post(request, batch)
    return render(request, "imports/batch.html", _context(request, batch))


def _post(request: AuthedRequest, batch: ImportBatch) -> HttpResponse:
    from guanxi.framework.i18n import deferred
    from guanxi.framework.jobs import start_job
    from guanxi.imports.tasks import run_import

    if _running(batch) or batch.status not in (ImportBatch.Status.STAGED, ImportBatch.Status.VALIDATED):
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    model = engine.model_of(batch)
    fields = importable_fields(model, request.user)
    action = request.POST.get("action", "check")
    if action == "remap":
        batch.status = ImportBatch.Status.STAGED
        batch.save(update_fields=["status"])
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    if action == "apply_saved":
        saved = SavedMapping.objects.filter(
            pk=request.POST.get("saved") or 0, user=request.user, entity=batch.entity
        ).first()
        if saved is not None:
            batch.mapping = {
                str(i): saved.columns[t] for i, t in enumerate(batch.header) if saved.columns.get(t)
            }
            batch.value_map = saved.value_map
            batch.save(update_fields=["mapping", "value_map"])
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    if batch.status == ImportBatch.Status.STAGED:  # the mapping form
        known = {f.name for f in fields}
        batch.mapping = {
            str(i): request.POST.get(f"map_{i}", "")
            for i in range(len(batch.header))
            if request.POST.get(f"map_{i}", "") in known
        }
        batch.mode = (
            request.POST.get("mode", "create")
            if request.POST.get("mode") in ImportBatch.Mode.values
            else "create"
        )
        batch.policy = (
            request.POST.get("policy", "skip")
            if request.POST.get("policy") in ImportBatch.Policy.values
            else "skip"
        )
        batch.match_key = (
            request.POST.get("match_key", "") if request.POST.get("match_key", "") in known else ""
        )
        problems = check_mapping(batch.mapping, fields, mode=batch.mode, match_key=batch.match_key)
        try:
            batch.value_map = _parse_value_map(request.POST.get("value_map", ""), fields)
        except ValidationError as problem:
            problems += problem.messages
        if problems:
            return render(
                request, "imports/batch.html", _context(request, batch, errors=problems), status=422
            )
        name = request.POST.get("save_as", "").strip()[:100]
        if name:
            titles = {str(i): t for i, t in enumerate(batch.header)}
            SavedMapping.objects.update_or_create(
                entity=batch.entity,
                user=request.user,
                name=name,
                defaults={
                    "columns": {titles[i]: f for i, f in batch.mapping.items()},
                    "value_map": batch.value_map,
                },
            )
    batch.all_or_nothing = request.POST.get("all_or_nothing") == "on"
    batch.cancel_requested = False
    try:
        engine.check_permission(request.user, model, batch.mode)
    except PermissionDenied as refused:
        return render(
            request, "imports/batch.html", _context(request, batch, errors=[str(refused)]), status=403
        )
    dry_run = action == "check"
    batch.save()  # before the job: an immediate task backend runs it inside start_job
    job = start_job(
        deferred(
            gettext_noop("Check %(type)s from %(file)s")
            if dry_run
            else gettext_noop("Import %(type)s from %(file)s"),
            type=model._meta.verbose_name_plural,
            file=batch.file_name,
        ),
        run_import,
        user=request.user,
        params={"batch": batch.pk, "dry_run": dry_run, "language": translation.get_language()},
    )
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))


@require_GET
@login_required
def progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial, polled every second while the job runs; reloads the page when done."""
    batch = _batch(request, pk)
    if not _running(batch):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    # the partial reads the batch and its job only: not the page's context (mapping columns,
    # preview, problem rows, saved mappings), rebuilt once a second for nothing
    response = render(request, "imports/batch.html#progress", {"batch": batch})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
    messages.info(request, _("Cancelling: the rows imported so far stay until you undo them."))
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))


@require_POST
@login_required
def undo(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status not in (ImportBatch.Status.COMPLETED, ImportBatch.Status.CANCELLED) or _running(batch):
        return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))
    counts = engine.undo(batch, request.user)
    messages.success(
        request,
        _(
            "Undone: %(removed)s records removed, %(reverted)s put back, "
            "%(refused)s left because they changed since."
        )
        % counts,
    )
    return HttpResponseRedirect(reverse("imports:batch", args=[batch.pk]))


@require_GET
@login_required
def error_file(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The rows with errors or flagged for review, as in the file, plus a reason column (CSV)."""
    batch = _batch(request, pk)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    language = translation.get_language()

    def lines() -> Any:
        with translation.override(language):
            yield "\ufeff"
            for row in engine.error_rows(batch):
                yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stem = Path(batch.file_name).stem or "import"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem)}-errors.csv"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# -- the entity chooser and the blank templates ----------------------------------------------------
TEMPLATE_LANGUAGES = (("zh-hans", "中文"), ("en", "English"))


def blank_template(model: Any, user: Any, fmt: str, language: str) -> HttpResponse:
    """A blank file to fill in: the importable columns titled in ``language`` (required ones
    first, marked "*"; an order's line columns after its own), as CSV (UTF-8 with BOM) or XLSX."""
    with translation.override(language):
        fields = [f for f in importable_fields(model, user) if f.name != "id"]
        header = [
            f"{f.label}*" if f.required else f.label for f in sorted(fields, key=lambda f: not f.required)
        ]
        name = f"{model._meta.model_name}-import-template-{language}.{fmt}"
        sheet_title = str(model._meta.verbose_name_plural)[:30]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        csv.writer(buffer).writerow(header)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        from guanxi.framework.exporting import xlsx_response

        book = Workbook(write_only=True)
        book.create_sheet(sheet_title).append(header)
        return xlsx_response(book, name)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _upload_url(model: Any) -> str:
    """The entity's upload page (``<model>_import``) if it offers one, else ""."""
    try:
        url = reverse(f"{model._meta.app_label}:{model._meta.model_name}_import")
    except NoReverseMatch:
        return ""
    config = resolve(url).func.view_initkwargs.get("config")  # type: ignore[attr-defined]
    return url if config is None or getattr(config, "importable", True) else ""


def importable_entities(user: Any) -> list[dict[str, Any]]:
    """The record types ``user`` may import (the ``import`` verb, an upload page), with their
    blank templates in both languages: what the chooser at ``/imports/`` lists, in the order
    people move their data in (``ImportSpec.order``: customers, contacts, leads, products …;
    types without a declaration after them, in registry order)."""
    from guanxi.framework.access import can
    from guanxi.framework.entities import entity_types

    out = []
    # a stable sort: equal orders (the undeclared types') keep the registry's order
    for entity in sorted(entity_types(), key=lambda e: engine.spec_for(e.model).order):
        model = entity.model
        if not can(user, "import", model):
            continue
        label = model._meta.label_lower
        if label == "targets.target":  # the grid is the targets' upload: its workbook, its template
            try:
                url, template = reverse("targets:grid"), reverse("targets:grid_export")
            except NoReverseMatch:
                continue
            templates = [("Excel", template)]  # the grid's workbook, in the page's language
        else:
            url = _upload_url(model)
            if not url:
                continue
            base = reverse("imports:template", args=[label])
            templates = [
                (f"{kind} {name}", f"{base}?format={fmt}&lang={code}")
                for code, name in TEMPLATE_LANGUAGES
                for fmt, kind in (("xlsx", "Excel"), ("csv", "CSV"))
            ]
        out.append(
            {
                "label": label,
                "name": capfirst_text(model._meta.verbose_name_plural),
                "url": url,
                "templates": templates,
            }
        )
    return out


def capfirst_text(text: Any) -> str:
    from django.utils.text import capfirst

    return str(capfirst(str(text)))


@require_GET
@login_required
def start(request: AuthedRequest) -> HttpResponse:
    """The import page: choose what to import (each type the user may import, its templates)."""
    return render(request, "imports/start.html", {"entities": importable_entities(request.user)})


@require_GET
@login_required
def template(request: AuthedRequest, label: str) -> HttpResponse:
    """A blank template of a record type the user may import (404 for any other)."""
    from django.apps import apps

    from guanxi.framework.access import can

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not can(request.user, "import", model) or not _upload_url(model):
        raise Http404
    fmt = request.GET.get("format", "xlsx")
    language = request.GET.get("lang") or translation.get_language()
    return blank_template(
        model,
        request.user,
        fmt if fmt in ("csv", "xlsx") else "xlsx",
        language if language in ("en", "zh-hans") else "en",
    )
