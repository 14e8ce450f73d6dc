"""Import rows from a CSV or Excel file into any entity, through the entity's own form.

Every row goes through the same ``EntityForm`` a person fills in on the page, built for the user
who imports: custom fields, normalisation (E.164 phones…), the model's ``clean()``, field rules
(hidden and read-only fields cannot be imported), ownership conflicts and the change log all apply
as if each row had been typed in. The import is all or nothing:

1. *Read*: CSV (UTF-8 with or without BOM, or GB18030 — what Chinese Excel writes) or XLSX/XLS
   (python-calamine). The first row holds the column names.
2. *Map*: each column is matched to a form field by its name or label in English or Chinese
   (``guess_mapping``); the user corrects the mapping on the page.
3. *Check* every row without writing (the job's progress bar moves here), collecting every
   error as (row, column, message) in the importer's language. Any error: nothing is written.
4. *Write* every row in one transaction, checking each again (a row may clash with an earlier
   row of the same file); one error rolls the whole file back.

Cells are made form-ready by ``cell_to_form_value``: choice labels (``A级``, ``Company``, ``公司``)
become their keys, users are found by username or name, tags by name, Excel numbers that are
really phone numbers lose their ``.0``, dates become ISO dates.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

MAX_ROWS = 50_000  # per file; larger files should be split (the form path costs ~10–30 ms a row)
MAX_ERRORS = 200  # errors kept for the report; counting goes on
PREVIEW_ROWS = 5
_LIST_SEPARATORS = re.compile(r"[,，;；、|]")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "对", "真", "√", "✓"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "不", "假", "×", ""}


class ImportFileError(ValueError):
    """The file cannot be read as a table (wrong type, broken, empty, too many rows)."""


@dataclass(frozen=True)
class ImportColumn:
    """A form field a column can feed, with the names a header may use for it."""

    name: str
    label: str
    required: bool
    aliases: frozenset[str]


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row}
        return f"{where} · {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    checked: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


# -- reading -------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text."))


CSV_SUFFIXES = (".csv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".ods")


def read_table(path: str | Path, filename: str) -> tuple[list[str], list[list[Any]]]:
    """The header row and the data rows of a stored CSV/XLSX/XLS/ODS file (blank rows dropped)."""
    return read_table_data(Path(path).read_bytes(), filename)


def read_table_data(data: bytes, filename: str) -> tuple[list[str], list[list[Any]]]:
    """``read_table`` for file contents in memory (an upload read in the request)."""
    suffix = Path(filename).suffix.lower()
    if suffix in CSV_SUFFIXES:
        text = _decode(data)
        rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text))]
    elif suffix in SHEET_SUFFIXES:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
        except Exception as error:  # calamine raises its own error types for broken files
            raise ImportFileError(
                _("The spreadsheet could not be read: %(error)s") % {"error": error}
            ) from None
    else:
        raise ImportFileError(_("Upload a .csv, .xlsx or .xls file."))
    rows = [list(row) for row in rows if any(str(cell).strip() for cell in row if cell is not None)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    data_rows = rows[1:]
    if len(data_rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(count)s rows; import at most %(max)s at a time.")
            % {"count": len(data_rows), "max": MAX_ROWS}
        )
    return header, data_rows


# -- mapping -------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\s_\-*:：（）()]+", "", str(text)).lower()


def import_columns(form: forms.BaseForm) -> list[ImportColumn]:
    """The form's writable fields, each with its name and labels in English and Chinese."""
    columns = []
    extra = getattr(form, "import_aliases", {})  # {field: (header, …)} a form also accepts
    for name, form_field in form.fields.items():
        if form_field.disabled or isinstance(form_field.widget, forms.HiddenInput):
            continue
        aliases = {_key(name), *(_key(alias) for alias in extra.get(name, ()))}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                aliases.add(_key(str(form_field.label or name)))
        label = str(form_field.label or name)
        # A required field with a default (a model default such as stage "prospect") needs no column.
        required = bool(form_field.required) and form.initial.get(name, form_field.initial) in (None, "", [])
        columns.append(ImportColumn(name, label, required, frozenset(aliases)))
    return columns


def guess_mapping(header: list[str], columns: list[ImportColumn]) -> dict[int, str]:
    """Column index → field name for the headers that name a field; each field used once."""
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for index, title in enumerate(header):
        key = _key(title)
        match = next((c for c in columns if key and key in c.aliases and c.name not in used), None)
        if match is not None:
            mapping[index] = match.name
            used.add(match.name)
    return mapping


# -- cell values ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: ``13800138000.0`` → ``13800138000``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800138000 as 13800138000.0
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value).strip()


def _choice_key(form_field: forms.ChoiceField, text: str) -> str:
    """The choice whose key or label (in either language) is ``text``; else ``text`` unchanged."""
    wanted = _key(text)
    for key, label in form_field.choices:  # type: ignore[misc,union-attr]
        if isinstance(label, list | tuple):  # optgroups
            continue
        names = {_key(str(key))}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(_key(str(label)))
        if wanted in names:
            return str(key)
    return text


def _lookup(queryset: Any, text: str) -> Any:
    """A row of ``queryset`` named by ``text``: its id, username, full name or name."""
    if text.isdigit():
        found = queryset.filter(pk=int(text)).first()
        if found is not None:
            return found.pk
    model = queryset.model
    names = {f.name for f in model._meta.get_fields()}
    if "username" in names:
        found = queryset.filter(username=text).first()
        if found is None and len(text) >= 2:
            # 王芳 = last_name 王 + first_name 芳 (Chinese order), "Fang Wang" the other way
            found = (
                queryset.filter(last_name=text[:1], first_name=text[1:]).first()
                or queryset.filter(
                    first_name=text.split(" ")[0], last_name=" ".join(text.split(" ")[1:])
                ).first()
            )
        return found.pk if found is not None else text
    for candidate in ("name", "slug"):
        if candidate in names:
            found = queryset.filter(**{candidate: text}).first()
            if found is not None:
                return found.pk
    return text


def cell_to_form_value(form_field: forms.Field, value: Any) -> Any:
    """Turn one spreadsheet cell into what the form field expects in ``data``."""
    text = cell_text(value)
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        parts = [p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()]
        return [_lookup(form_field.queryset, p) for p in parts]
    if isinstance(form_field, forms.ModelChoiceField):
        return _lookup(form_field.queryset, text) if text else ""
    if isinstance(form_field, forms.MultipleChoiceField):
        return [_choice_key(form_field, p.strip()) for p in _LIST_SEPARATORS.split(text) if p.strip()]
    if isinstance(form_field, forms.BooleanField | forms.NullBooleanField):
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return "on"
        if lowered in FALSE_WORDS:
            return ""
        return text
    if isinstance(form_field, forms.ChoiceField):
        return _choice_key(form_field, text) if text else ""
    if isinstance(form_field, forms.DateField) and isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return text


# -- running -------------------------------------------------------------------------------------


def _row_errors(form: forms.BaseForm, row_number: int) -> Iterable[RowError]:
    for name, messages in form.errors.items():
        label = str(form.fields[name].label or name) if name in form.fields else ""
        for message in messages:
            yield RowError(row_number, label, str(message))


def run_import(
    form_class: type[forms.ModelForm],
    user: Any,
    rows: list[list[Any]],
    mapping: dict[int, str],
    *,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Check every row, then write them all in one transaction — or nothing at all.

    Needs the ``import`` and ``add`` verbs on the model (``PermissionDenied`` otherwise). Rows are
    saved by the form through the write path; a row that would land outside the importer's view
    scope is an error of that row (the generic edit page's rule).
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from guanxi.framework.access import can
    from guanxi.framework.views.base import refusal_message
    from guanxi.framework.write import OutsideScope, ensure_visible

    model = form_class._meta.model
    for action in ("import", "add"):
        if not can(user, action, model):
            raise PermissionDenied(refusal_message(model, action))
    result = ImportResult()
    report = progress or (lambda percent, message: None)

    prototype = form_class(user=user)  # type: ignore[call-arg]  # its fields convert the cells

    defaults = {
        name: _form_initial(prototype, name)
        for name, field in prototype.fields.items()
        if name not in mapping.values()
        and field.required
        and _form_initial(prototype, name) not in (None, "")
    }

    def build(row: list[Any]) -> forms.ModelForm:
        data: dict[str, Any] = dict(defaults)
        for index, name in mapping.items():
            if name in prototype.fields:
                cell = row[index] if index < len(row) else None
                data[name] = cell_to_form_value(prototype.fields[name], cell)
        return form_class(_as_querydict(data), user=user)  # type: ignore[call-arg]

    total = max(len(rows), 1)
    for number, row in enumerate(rows, start=2):
        form = build(row)
        if not form.is_valid():
            for error in _row_errors(form, number):
                result.add_error(error)
        result.checked += 1
        if number % 100 == 0:
            report(
                70 * (number - 1) / total,
                _("Checked %(n)s of %(total)s rows") % {"n": number - 1, "total": total},
            )
    if result.error_count:
        return result

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):
                form = build(row)
                if not form.is_valid():
                    for error in _row_errors(form, number):
                        result.add_error(error)
                    continue
                try:
                    with transaction.atomic():
                        ensure_visible(form.save(), user)
                except OutsideScope:
                    result.add_error(
                        RowError(number, "", _("This row would create a record outside what you may see."))
                    )
                except ValidationError as refused:  # a rule of the write path
                    for text in refused.messages:
                        result.add_error(RowError(number, "", text))
                result.created += 1
            if result.error_count:
                raise _Rollback
    except _Rollback:
        result.created = 0
    report(100, _("Imported %(n)s rows") % {"n": result.created})
    return result


def _form_initial(form: forms.BaseForm, name: str) -> Any:
    value = form.initial.get(name, form.fields[name].initial)
    return value() if callable(value) else value


def _as_querydict(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            qd.setlist(key, [str(v) for v in value])
        elif value not in (None, ""):
            qd[key] = str(value)
    return qd


def template_header(form: forms.BaseForm) -> list[str]:
    """Column titles of a blank import template: the writable fields' labels, required first."""
    columns = import_columns(form)
    return [c.label for c in sorted(columns, key=lambda c: not c.required)]


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower
