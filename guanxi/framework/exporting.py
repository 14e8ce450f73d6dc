"""Streamed export of any entity list: the rows the list shows, as CSV or XLSX, in flat memory.

One engine serves the list page's export button, the background export job and ``guanxi export``:

* **Which rows** — ``list_export(config, request)`` runs the list view's own ``filtered()`` (filters,
  ``?where=`` condition, saved view, search, all after ``restrict()``) and builds the list's table
  with the chosen columns and sort, so what is exported is what the user sees on screen.
* **Which columns and values** — the table's visible, exportable columns (hidden fields are not
  columns at all; masked columns carry the table's masking function). Each column is planned
  once — its accessor, its choice labels in the reader's language, its value function and that
  function's signature — and then applied to every record: no per-cell ``inspect.signature`` or
  template machinery (django-tables2's ``get_cell_value`` costs ~10 µs a cell, 100 s at a million
  rows of ten columns).
* **Memory and speed** — rows come in chunks of ``CHUNK_SIZE`` from one streamed query (a
  server-side cursor on PostgreSQL): ``values_list()`` of exactly the exported columns when no
  column needs a model instance (``plan_values``), else model instances with the table's
  ``select_related`` (``Export.records``); related objects and tag names come with one query per
  chunk, so a chunk costs a fixed number of queries and memory does not grow with the row count.
* **Values as people read them** — choices as their labels, money as the amount plus a currency
  column, dates and times ISO (``2026-12-06``, ``2026-12-06 21:20:05`` in the site's time zone;
  typed date cells in XLSX), yes/no in the reader's language.
* **Formula neutralisation** (CSV/formula injection, the OWASP rule) on every text cell *and*
  header: text a spreadsheet would evaluate — starting with ``=``, ``@``, tab, CR, or ``+``/``-``
  followed by something that is not a plain number or phone number — gets a leading ``'``. A
  phone such as ``+8618919616767`` or a number such as ``-5`` is written as it is. XLSX cells are
  typed: text is always a string cell (never a formula), and text that would evaluate once edited
  carries Excel's hidden quote prefix instead of a visible apostrophe.

See docs/exporting.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.contrib.messages.storage.base import BaseStorage, Message
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeData
from django.utils.translation import gettext as _
from django_tables2.utils import Accessor, signature

CHUNK_SIZE = 2000
FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Query keys of the list page that are not part of what an export selects.
NOT_SELECTING = ("export", "page", "per_page")


def xlsx_response(content: Any, filename: str) -> HttpResponse:
    """A small XLSX download made in the request (a report, a chart's table, a template):
    ``content`` is the file's bytes or an openpyxl workbook. The file name may be Chinese (the
    header carries it as RFC 6266 ``filename*``). Lists stream theirs (``views.lists``)."""
    if not isinstance(content, bytes):
        out = io.BytesIO()
        content.save(out)
        content = out.getvalue()
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- formula neutralisation -----------------------------------------------------------------------

ALWAYS_EVALUATED = ("=", "@", "\t", "\r", "\n")
# ``+``/``-`` then only digits, spaces, dots, hyphens and parentheses (with a digit): a signed
# number or a phone number. A spreadsheet reads it as a number at worst — never as a function call.
PLAIN_SIGNED = re.compile(r"[+-][\d\s().\-]*\d[\d\s().\-]*\Z")


def would_evaluate(text: str) -> bool:
    """Would a spreadsheet evaluate ``text`` as a formula (the OWASP CSV-injection rule, minus
    plain signed numbers and phone numbers)?"""
    if not text:
        return False
    first = text[0]
    if first in ALWAYS_EVALUATED:
        return True
    if first in "+-":
        return PLAIN_SIGNED.match(text) is None
    return False


def neutralize(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and would_evaluate(value):
        return "'" + value
    return value


# --- cell text ---------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


def html_text(html: str) -> str:
    """The text of HTML the server built with ``format_html`` (well-formed tags around escaped
    text): a regex is exact there and ~30× cheaper than ``strip_tags``' HTML parser, which a
    million linked names would feel."""
    return unescape(_TAG.sub("", html)) if "<" in html or "&" in html else html


# --- planning the columns ------------------------------------------------------------------------

_CELL_ARGS = ("value", "record", "column", "bound_column", "bound_row", "table")
# True while the engine calls a table's render_<name>: links are left out (tables.linkify_name).
EXPORTING: ContextVar[bool] = ContextVar("guanxi_exporting", default=False)
TAG_LOOKUP = "tagged_items__tag"
TAG_ATTR = "_export_tag_names"


@dataclass
class ExportColumn:
    """One planned column: its header, how to read a record's value, and (money) its currency."""

    name: str
    header: str
    read: Callable[[Any], Any]
    currency: Callable[[Any], str] | None = None
    bound: Any = None  # the table's bound column


def _resolver(accessor: Accessor) -> Callable[[Any], Any]:
    """How to read the accessor's value from a record (a plain attribute when it is one)."""
    if accessor.SEPARATOR not in accessor and "." not in accessor:
        name = str(accessor)
        return lambda record: getattr(record, name, None)
    return lambda record: accessor.resolve(record, quiet=True)


def _choice_labels(model: type[models.Model], accessor: Accessor) -> dict[Any, str] | None:
    """value → label (in the active language) when the accessor ends on a field with choices."""
    try:
        found = accessor.get_field(model)
    except Exception:
        return None
    choices = getattr(found, "flatchoices", None) if found is not None else None
    if not choices:
        return None
    return {value: str(label) for value, label in choices}


def _is_generic_value(bound_column: Any) -> bool:
    """True when the column's export value is the raw value (django-tables2's ``Column.value``
    returning ``Column.render``'s identity): the engine then skips the call. Date columns render
    through a template; their raw date is what an export wants."""
    column = bound_column.column
    function = getattr(bound_column.value, "__func__", None)
    if function is None or getattr(bound_column.value, "__self__", None) is not column:
        return False  # a table's value_<name>/render_<name>, or a masking function
    if isinstance(column, tables.DateTimeColumn | tables.DateColumn):
        return True
    return function is tables.Column.value and getattr(type(column), "render", None) is tables.Column.render


def _cell_reader(table: Any, bound_column: Any) -> Callable[[Any], Any]:
    """record → the value an export writes for ``bound_column`` (planned once per column)."""
    from django_tables2.rows import BoundRow

    from guanxi.framework.tables import TagsColumn

    column = bound_column.column
    if isinstance(column, TagsColumn) and getattr(bound_column.value, "__self__", None) is column:
        # The tag names of a whole chunk come in one query (Export.records), not a generic
        # prefetch that builds a queryset per record.
        return lambda record: getattr(record, TAG_ATTR, "") or None
    accessor = Accessor(bound_column.accessor)
    resolve = _resolver(accessor)
    labels = _choice_labels(table._meta.model, accessor)
    empty = column.empty_values
    if _is_generic_value(bound_column):
        function: Callable[..., Any] | None = None
        args: tuple[str, ...] = ()
        catch_all = False
    else:
        function = bound_column.value
        args, catch_all = signature(function)
        if catch_all:
            args = _CELL_ARGS

    def read(record: Any) -> Any:
        value = resolve(record)
        if labels is not None and value not in empty:
            value = labels.get(value, value)
        if value in empty:
            return None
        if function is None:
            return value
        given = {
            "value": value,
            "record": record,
            "column": column,
            "bound_column": bound_column,
            "table": table,
        }
        if "bound_row" in args:
            given["bound_row"] = BoundRow(record, table=table)
        token = EXPORTING.set(True)  # linkify_name: the text, not a link (no reverse() per row)
        try:
            result = function(**{name: given[name] for name in args if name in given})
        finally:
            EXPORTING.reset(token)
        if isinstance(result, SafeData):  # a render_* method's HTML (links, badges): the text only
            return html_text(str(result))
        return result

    return read


def plan_columns(table: Any) -> list[ExportColumn]:
    """The table's visible, exportable columns (what the list shows), planned for export."""
    card_only: set[str] = getattr(table, "card_only", set())
    planned = []
    for bound_column in table.columns:
        if bound_column.name == "pk" or bound_column.name in card_only:
            continue
        if bound_column.column.exclude_from_export:
            continue
        currency = None
        if getattr(bound_column.column, "export_currency", False):  # MoneyColumn: amount, currency
            currency = bound_column.column.currency_of
        planned.append(
            ExportColumn(
                name=bound_column.name,
                header=str(bound_column.header),
                read=_cell_reader(table, bound_column),
                currency=currency,
                bound=bound_column,
            )
        )
    return planned


# --- the values fast path ------------------------------------------------------------------------


class _NeedsRecord(Exception):
    """A value function touched the record: the column needs model instances."""


class _NoRecord:
    """Stands in for the record when a value function is meant to need only the value."""

    def __getattr__(self, name: str) -> Any:
        raise _NeedsRecord(name)


NO_RECORD = _NoRecord()


@dataclass
class ValueColumn:
    """How the values fast path reads one column from a ``values_list()`` row."""

    path: str  # the ORM path fetched ("" for tags)
    read: Callable[[Any], Any]  # the fetched value -> what the export writes
    related: type[models.Model] | None = None  # a foreign key: the value is this model's pk
    tags: bool = False


def plan_values(table: Any, columns: list[ExportColumn]) -> list[ValueColumn] | None:
    """Value readers for every column when none needs a model instance, else None.

    A column qualifies when its accessor is a concrete field (or a path through foreign keys,
    or a custom-field key) and its value function — if it has one — reads only the value: each
    function is tried once with a stand-in record that refuses every attribute (a linked name
    qualifies, since ``linkify_name`` only links outside exports; a user's display name does not).
    Money columns (amount and currency) keep the model path."""
    from guanxi.framework.tables import TagsColumn

    model = table._meta.model
    plan = []
    for column in columns:
        bound = column.bound
        if column.currency is not None or bound is None:
            return None
        if isinstance(bound.column, TagsColumn):
            plan.append(ValueColumn(path="", read=lambda v: v, tags=True))
            continue
        accessor = str(bound.accessor).replace(".", "__")
        parts = accessor.split("__")
        related = None
        if parts[0] == "custom_field_data" and len(parts) == 2:
            key = parts[1]
            path, pick = "custom_field_data", (lambda data, key=key: (data or {}).get(key))
        else:
            try:
                field = model._meta.get_field(parts[0])
            except Exception:
                return None
            if not getattr(field, "concrete", False) or getattr(field, "many_to_many", False):
                return None
            if len(parts) == 1 and field.is_relation:
                related = field.related_model
            path, pick = accessor, None
        reader = _value_reader(table, bound, pick)
        if reader is None:
            return None
        plan.append(ValueColumn(path=path, read=reader, related=related))
    return plan


def _value_reader(
    table: Any, bound_column: Any, pick: Callable[[Any], Any] | None
) -> Callable[[Any], Any] | None:
    """fetched value -> exported value for one column, or None if its function needs the record."""
    column = bound_column.column
    labels = _choice_labels(table._meta.model, Accessor(bound_column.accessor))
    empty = column.empty_values
    function: Callable[..., Any] | None = None
    args: tuple[str, ...] = ()
    if not _is_generic_value(bound_column):
        function = bound_column.value
        args, catch_all = signature(function)
        if catch_all or "bound_row" in args:
            return None
        given = {
            "value": "x",
            "record": NO_RECORD,
            "column": column,
            "bound_column": bound_column,
            "table": table,
        }
        token = EXPORTING.set(True)
        try:
            function(**{name: given[name] for name in args if name in given})
        except Exception:
            return None  # it needs the record (or cannot take a text value): the model path
        finally:
            EXPORTING.reset(token)

    def read(value: Any) -> Any:
        if pick is not None:
            value = pick(value)
        if labels is not None and value not in empty:
            value = labels.get(value, value)
        if value in empty:
            return None
        if function is None:
            return value
        given = {
            "value": value,
            "record": NO_RECORD,
            "column": column,
            "bound_column": bound_column,
            "table": table,
        }
        token = EXPORTING.set(True)
        try:
            result = function(**{name: given[name] for name in args if name in given})
        finally:
            EXPORTING.reset(token)
        if isinstance(result, SafeData):
            return html_text(str(result))
        return result

    return read


# --- formatting values ----------------------------------------------------------------------------


def plain_value(value: Any, yes_no: tuple[str, str]) -> Any:
    """A cell value as a spreadsheet should hold it: text, a number, a (naive, local) date or
    time, or None for empty."""
    if value is None or (isinstance(value, str | int | float | Decimal) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    amount = getattr(value, "amount", None)
    if isinstance(amount, Decimal):  # a Money value a column returned whole
        return amount
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(str(item) for item in value)
    return str(value)  # model instances, lazy strings, anything else: as it prints


def csv_text(value: Any) -> str:
    """A plain value as CSV text: ISO dates, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


# --- the export -----------------------------------------------------------------------------------


@dataclass
class Export:
    """The rows of one list as the user sees them, ready to stream."""

    model: type[models.Model]
    table: Any
    queryset: Any
    filters: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    chunk_size: int = CHUNK_SIZE
    rows_written: int = 0

    def __post_init__(self) -> None:
        # Everything worded is worded now, in the request's language: a streamed response writes
        # its rows after the view has returned.
        self.columns = plan_columns(self.table)
        self.header = self.headers()
        self.yes_no = (str(_("Yes")), str(_("No")))

    def headers(self) -> list[str]:
        """Column headers in the active language (not yet neutralised)."""
        out = []
        for column in self.columns:
            out.append(column.header)
            if column.currency is not None:
                out.append(f"{column.header} ({_('currency')})")
        return out

    def count(self) -> int:
        return int(self.queryset.count())

    def records(self) -> Iterator[Any]:
        """The records, chunk by chunk: one streamed query, plus the queryset's other prefetches
        and one query for the tag names per chunk when the tags column is exported."""
        from guanxi.framework.tables import TagsColumn

        queryset = self.queryset
        if not queryset.query.order_by and not queryset.query.default_ordering:
            queryset = queryset.order_by("pk")
        lookups = list(queryset._prefetch_related_lookups)
        if TAG_LOOKUP in lookups:  # the list page's tag prefetch: replaced by tag_names() below
            queryset = queryset.prefetch_related(None).prefetch_related(
                *(x for x in lookups if x != TAG_LOOKUP)
            )
        with_tags = any(isinstance(c.column, TagsColumn) for c in self.table.columns)
        if not with_tags:
            yield from queryset.iterator(chunk_size=self.chunk_size)
            return
        chunk: list[Any] = []
        for record in queryset.iterator(chunk_size=self.chunk_size):
            chunk.append(record)
            if len(chunk) >= self.chunk_size:
                self.tag_names(chunk)
                yield from chunk
                chunk = []
        if chunk:
            self.tag_names(chunk)
            yield from chunk

    def tag_names(self, chunk: list[Any]) -> None:
        """Set each record's tag names (``, ``-joined, by name) with one query for the chunk."""
        names = self._tag_map([record.pk for record in chunk])
        for record in chunk:
            setattr(record, TAG_ATTR, ", ".join(names.get(record.pk, ())))

    def rows(self) -> Iterator[list[Any]]:
        """Each record as a list of plain values (see ``plain_value``); counts ``rows_written``."""
        fast = plan_values(self.table, self.columns)
        if fast is not None:
            yield from self.value_rows(fast)
            return
        yes_no = self.yes_no
        columns = self.columns
        for record in self.records():
            row = []
            for column in columns:
                row.append(plain_value(column.read(record), yes_no))
                if column.currency is not None:
                    row.append(column.currency(record))
            self.rows_written += 1
            yield row

    def value_rows(self, plan: list[ValueColumn]) -> Iterator[list[Any]]:
        """The values fast path: ``values_list()`` of exactly the exported columns (no model
        instances), related objects and tag names loaded once per chunk."""
        from guanxi.framework.tables import TagsColumn

        queryset = self.queryset.prefetch_related(None)
        if not queryset.query.order_by and not queryset.query.default_ordering:
            queryset = queryset.order_by("pk")
        paths = ["pk", *dict.fromkeys(c.path for c in plan if c.path)]
        at = {path: i for i, path in enumerate(paths)}
        with_tags = any(isinstance(c.bound.column, TagsColumn) for c in self.columns)
        yes_no = self.yes_no
        chunk: list[tuple[Any, ...]] = []

        def flush() -> Iterator[list[Any]]:
            related = {}
            for column in plan:
                if column.related is not None and column.path not in related:
                    ids = {row[at[column.path]] for row in chunk} - {None}
                    related[column.path] = column.related._base_manager.in_bulk(ids) if ids else {}
            tags: dict[int, list[str]] = {}
            if with_tags:
                tags = self._tag_map([row[0] for row in chunk])
            for row in chunk:
                out = []
                try:
                    for column in plan:
                        if column.tags:
                            value: Any = ", ".join(tags.get(row[0], ())) or None
                        else:
                            value = row[at[column.path]]
                            if column.related is not None and value is not None:
                                value = related[column.path].get(value)
                            value = column.read(value)
                        out.append(plain_value(value, yes_no))
                except _NeedsRecord:
                    # a function that read only the value when planned wants the record for this
                    # value: this one row takes the model path
                    out = self.model_row(self.queryset.get(pk=row[0]), tags.get(row[0], ()))
                self.rows_written += 1
                yield out

        for row in queryset.values_list(*paths).iterator(chunk_size=self.chunk_size):
            chunk.append(row)
            if len(chunk) >= self.chunk_size:
                yield from flush()
                chunk = []
        if chunk:
            yield from flush()

    def model_row(self, record: Any, tag_names: Iterable[str] = ()) -> list[Any]:
        """One record's row through the model path's readers."""
        setattr(record, TAG_ATTR, ", ".join(tag_names))
        row = []
        for column in self.columns:
            row.append(plain_value(column.read(record), self.yes_no))
            if column.currency is not None:
                row.append(column.currency(record))
        return row

    def _tag_map(self, pks: list[Any]) -> dict[int, list[str]]:
        from django.contrib.contenttypes.models import ContentType

        from guanxi.core.models import TaggedItem

        names: dict[int, list[str]] = {}
        rows = (
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model), object_id__in=pks
            )
            .order_by("tag__name")
            .values_list("object_id", "tag__name")
        )
        for object_id, name in rows:
            names.setdefault(object_id, []).append(name)
        return names

    def csv_chunks(self, batch: int = 500) -> Iterator[bytes]:
        """The CSV file (UTF-8 with BOM, so Excel reads Chinese) as byte chunks of ``batch`` rows."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([neutralize(h) for h in self.header])
        pending = 0
        for row in self.rows():
            writer.writerow([csv_text(v) for v in row])
            pending += 1
            if pending >= batch:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
                pending = 0
        yield buffer.getvalue().encode("utf-8")

    def write_csv(self, out: Any, progress: Callable[[int], None] | None = None) -> int:
        """Write the CSV to the binary file ``out``; ``progress(rows)`` after each batch."""
        for chunk in self.csv_chunks():
            out.write(chunk)
            if progress is not None:
                progress(self.rows_written)
        return self.rows_written

    def write_xlsx(self, out: Any, progress: Callable[[int], None] | None = None) -> int:
        """Write a typed XLSX (openpyxl write-only: rows go to disk as they come) to ``out``."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        title = re.sub(r"[\[\]:*?/\\]", " ", str(self.model._meta.verbose_name_plural))[:31] or "export"
        sheet = book.create_sheet(title)

        def text_cell(text: str) -> Any:
            cell = WriteOnlyCell(sheet)
            cell.value = text
            cell.data_type = "s"  # a string cell, never a formula (openpyxl reads "=…" as one)
            if would_evaluate(text):
                cell.quotePrefix = True  # Excel's hidden apostrophe: stays text when edited
            return cell

        def typed(value: Any) -> Any:
            if isinstance(value, str):
                return text_cell(value) if value and value[0] in "=@+-\t\r\n" else value
            if isinstance(value, dt.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
                return cell
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                return cell
            return value

        sheet.append([text_cell(h) for h in self.header])
        for row in self.rows():
            sheet.append([typed(v) for v in row])
            if progress is not None and self.rows_written % CHUNK_SIZE == 0:
                progress(self.rows_written)
        book.save(out)
        return self.rows_written

    def write(self, fmt: str, out: Any, progress: Callable[[int], None] | None = None) -> int:
        if fmt == "xlsx":
            return self.write_xlsx(out, progress)
        return self.write_csv(out, progress)

    def audit(self, user: Any, fmt: str, *, source: str, rows: int | None = None, **extra: Any) -> Any:
        """Record the export (who, which entity, which filters, how many rows) as an audit event."""
        from guanxi.core.models import AuditEvent

        return AuditEvent.objects.create(
            user=user if getattr(user, "pk", None) else None,
            username=user.get_username() if user is not None else "",
            event=AuditEvent.EventChoices.EXPORT,
            detail={
                "model": self.model._meta.label,
                "rows": rows,
                "format": fmt,
                "filters": self.filters,
                "source": source,
                **extra,
            },
        )


def filename_for(model: type[models.Model], fmt: str) -> str:
    """``客户-20261206-2120.csv`` in Chinese, ``customers-20261206-2120.csv`` in English."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = re.sub(r'[\\/:*?"<>|\s]+', "-", str(model._meta.verbose_name_plural)).strip("-") or "export"
    return f"{name}-{stamp}.{fmt}"


def content_disposition(filename: str) -> str:
    """An attachment header that carries a Chinese file name (RFC 6266 ``filename*``)."""
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, filename) or "attachment"


class CollectedMessages(BaseStorage):
    """A messages store that keeps what the list view reports (a refused filter, a condition that
    cannot apply) for a job or the command line, where there is no page to show it on."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.collected: list[str] = []

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list[Message], bool]:
        return [], True

    def _store(self, messages: list[Message], response: Any, *args: Any, **kwargs: Any) -> list[Message]:
        return []

    def add(self, level: int, message: Any, extra_tags: str | None = "") -> None:
        self.collected.append(str(message))


def offline_request(user: Any, params: QueryDict | Mapping[str, Iterable[str]] | str) -> HttpRequest:
    """A GET request for ``user`` carrying the list's query parameters (for jobs and the CLI)."""
    request = HttpRequest()
    request.method = "GET"
    if isinstance(params, QueryDict):
        query = params
    elif isinstance(params, str):
        query = QueryDict(params)
    else:
        query = QueryDict(mutable=True)
        for key, values in params.items():
            query.setlist(key, [str(v) for v in values])
    request.GET = query  # type: ignore[assignment]
    request.user = user
    request.htmx = None  # type: ignore[attr-defined]
    request._messages = CollectedMessages(request)  # type: ignore[attr-defined]
    request.META["SERVER_NAME"] = "localhost"
    request.META["SERVER_PORT"] = "80"
    return request


def list_export(config: Any, request: HttpRequest) -> Export:
    """The export of ``config``'s list as ``request`` asks for it (``request.GET`` as on the page).

    The one check of the ``export`` verb (page, job and command all come through here): a user
    without it gets ``PermissionDenied`` with the same message as every refused action."""
    from django.core.exceptions import PermissionDenied

    from guanxi.framework.access import can
    from guanxi.framework.views.base import refusal_message
    from guanxi.framework.views.lists import ObjectListView

    if not can(request.user, "export", config.model):
        raise PermissionDenied(refusal_message(config.model, "export"))

    view = ObjectListView(config=config)
    view.setup(request)
    before = len(request._messages.collected) if _collects(request) else 0  # type: ignore[attr-defined]
    rows, filterset, params, _saved = view.filtered(request)  # type: ignore[arg-type]
    columns = [c for v in params.getlist("columns") for c in v.split(",") if c]
    table = config.table(
        rows, columns=columns or None, order_by_field="sort", user=request.user, selectable=False
    )
    if params.get("sort"):
        table.order_by = params["sort"]
    filters = {k: params.getlist(k) for k in params if k not in NOT_SELECTING}
    problems = request._messages.collected[before:] if _collects(request) else []  # type: ignore[attr-defined]
    if not filterset.is_valid():  # the page shows these on its filter form; an export says them
        for name, errors in filterset.errors.items():
            label = filterset.filters[name].label if name in filterset.filters else name
            problems.append(f"{label}: {' '.join(str(e) for e in errors)}")
    return Export(
        model=config.model, table=table, queryset=table.data.data, filters=filters, problems=problems
    )


def _collects(request: HttpRequest) -> bool:
    return isinstance(getattr(request, "_messages", None), CollectedMessages)


def direct_limit() -> int:
    """Exports up to this many rows download at once; larger ones run as a job."""
    return int(getattr(settings, "EXPORT_DIRECT_MAX_ROWS", 10_000))
