"""The staged import engine: stage → validate → commit (→ undo), set-based and in chunks.

1. **Stage** (``stage``): the file is read as a stream (``guanxi.imports.reading``) and lands in
   ``ImportRow`` rows a chunk at a time (``chunk_size``); the header is matched to fields
   (``fields.guess_mapping``).
2. **Validate** (``validate``), chunk by chunk: lookups are loaded once (users by username, full
   name and phone; the owners the importer may give records to) or once per chunk (foreign keys
   by name or code, existing records by the match key, unique values, the entity's own set-based
   check such as 撞单); each row is parsed and checked by the model's own rules (``clean_fields``
   without the per-cell foreign-key queries, then ``clean()``), matched against the file's earlier
   rows and the database on its normalised key, and marked valid / error / review / skipped with
   its messages. Nothing but staging rows is written.
3. **Commit** (``commit``): the valid rows, a chunk per transaction, through the write path's bulk
   mode — ``bulk_create_objects`` for new records, ``bulk_update_objects`` for updates (change log
   with the before values, events, search keys) — with the staging rows' statuses updated in the
   same transaction. A crash leaves whole chunks only; running ``commit`` again carries on with
   the rows still ``valid``. Chunks of one entity type are serialised by a row lock, and each
   chunk's keys are checked again inside it, so a file uploaded twice at once creates its records
   once.
4. **Undo** (``undo``): deletes what the batch created and puts back what it updated (the "before"
   values of its change-log entries, and a record's replaced lines: ``lines.LinesUndo``), record
   by record, refusing a record someone changed since.

A batch may be all-or-nothing: then any row with an error stops it before writing, and the commit
is one transaction.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.framework.context import Source, actor_context
from guanxi.framework.customfields import definitions_pinned
from guanxi.framework.exporting import neutralize
from guanxi.framework.fastinsert import (
    column_values,
    insert_many,
    insert_tuples,
    json_text,
    new_instance,
    stored_attnames,
)
from guanxi.framework.models import ChangeLoggedModel
from guanxi.imports import values as cells
from guanxi.imports.declarations import spec_for
from guanxi.imports.fields import FieldInfo, guess_mapping, header_key, importable_fields
from guanxi.imports.models import ImportBatch, ImportRow
from guanxi.imports.reading import ImportFileError, open_table

CHUNK = 2000
CHUNK_POSTGRESQL = 10_000


def chunk_size() -> int:
    """Rows per chunk of stage, validate and commit: 10,000 on PostgreSQL, where each chunk's
    dozen queries and ``COPY``s are round trips to a server, 2,000 on SQLite, whose statements
    take at most 32,766 parameters (a chunk's ``IN`` lists) and cost no round trip. Either
    holds a chunk's rows and their records in memory: a few tens of MB at most."""
    return CHUNK_POSTGRESQL if connection.vendor == "postgresql" else CHUNK


Progress = Callable[[str, int, int], None]  # (phase, rows done, rows in all)
R = ImportRow.Status


class ImportCancelled(Exception):
    """The user cancelled the batch; the chunks committed so far stay (undo removes them)."""


def _field(model: type[models.Model], name: str) -> Any:
    """A concrete field by name (typed loosely: ``get_field`` may also answer a relation)."""
    return model._meta.get_field(name)


def model_of(batch: ImportBatch) -> type[models.Model]:
    return apps.get_model(batch.entity)


def check_permission(user: Any, model: type[models.Model], mode: str | None) -> None:
    """Import needs the ``import`` verb, plus ``add`` to create and ``change`` to update
    (``mode`` None: the verb alone, for an upload whose mode is chosen on the next page)."""
    from guanxi.framework.access import can
    from guanxi.framework.views.base import refusal_message

    needed = (
        ["import"]
        + (["add"] if mode in ("create", "upsert") else [])
        + (["change"] if mode not in ("create", None) else [])
    )
    for action in needed:
        if not can(user, action, model):
            raise PermissionDenied(refusal_message(model, action))


# -- stage -----------------------------------------------------------------------------------------
def stage(batch: ImportBatch, path: str, *, progress: Progress | None = None) -> ImportBatch:
    """Read the file at ``path`` into the batch's staging rows (replacing any from an earlier try).

    Raises ``ImportFileError`` (nothing staged, the batch marked failed with the message).
    """
    started = time.monotonic()
    batch.rows.all().delete()
    total = 0
    try:
        with open_table(path, batch.file_name, encoding=batch.encoding, sheet=batch.sheet) as table:
            batch.header = table.header
            batch.encoding, batch.sheet = table.encoding, table.sheet
            # the staging rows as tuples of their database values (``insert_tuples``): nothing
            # reads them back as instances here
            pending: list[tuple[Any, ...]] = []
            size = chunk_size()
            raw_text = json_text(_field(ImportRow, "raw"))
            for number, row in table.rows:
                pending.append((batch.pk, number, raw_text([_jsonable(c) for c in row])))
                if len(pending) >= size:
                    _insert_staged(pending)
                    total += len(pending)
                    pending = []
                    if progress:
                        progress("stage", total, 0)
            _insert_staged(pending)
            total += len(pending)
        if not total:
            raise ImportFileError(_("The file has column titles but no data rows."))
    except ImportFileError as problem:
        batch.rows.all().delete()
        batch.status, batch.error = ImportBatch.Status.FAILED, str(problem)
        batch.save()
        raise
    batch.total = total
    if not batch.mapping:
        batch.mapping = guess_mapping(batch.header, importable_fields(model_of(batch), batch.user))
    batch.status = ImportBatch.Status.STAGED
    batch.timings = {**batch.timings, "stage": round(time.monotonic() - started, 3)}
    batch.save()
    return batch


_STAGED = ("batch_id", "number", "raw")


def _insert_staged(rows: list[tuple[Any, ...]]) -> None:
    """Insert a chunk of new staging rows (``_STAGED`` values) in one transaction. Outside one,
    SQLite commits every row of the ``executemany`` by itself — a write-ahead-log commit of the
    table's and its three indexes' pages per row, most of the stage's time."""
    with transaction.atomic():
        insert_tuples(ImportRow, _STAGED, rows)


def save_rows(rows: list[ImportRow]) -> None:
    """Write back a chunk of staging rows: one DELETE and one bulk INSERT (``COPY`` on
    PostgreSQL, ``fastinsert``), in one transaction; the rows get new ids (nothing refers to them,
    the engine reads them back by number). Django's ``bulk_update`` builds a ``CASE WHEN id = …``
    per row and field, which cost more than the validation itself (7 s of 11 s for 2,000 rows)."""
    if not rows:
        return
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one array parameter: no statement of 10,000 "%s"
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [[row.pk for row in rows]])  # noqa: S608
        else:
            for start in range(0, len(rows), 500):
                ids = [row.pk for row in rows[start : start + 500]]
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
        insert_many(ImportRow, rows)


def save_outcome(rows: list[ImportRow], columns: tuple[str, ...]) -> None:
    """Write back only ``columns`` of a chunk of staging rows — what a phase decided about them
    (``COMMITTED``) — by their ids, in one statement: on PostgreSQL an ``UPDATE …
    FROM unnest(…)`` of one array parameter per column, on SQLite one prepared ``UPDATE`` run over
    every row (``executemany``). ``save_rows`` rewrote whole rows (delete, then insert again with
    the file's cells JSON-encoded anew and every index rebuilt) for a few changed columns.
    Values are prepared as ``insert_many`` prepares them (``fastinsert.column_values``)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(ImportRow._meta.db_table)
    fields = [_field(ImportRow, name) for name in columns]
    prepared = column_values(fields, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JSON travels as text and is cast per element: an array of jsonb from text is one cast
            kinds = ["text" if isinstance(f, models.JSONField) else f.db_type(connection) for f in fields]
            names = [quote(str(f.column)) for f in fields]
            arrays = ", ".join(["%s::bigint[]", *(f"%s::{kind}[]" for kind in kinds)])
            assign = ", ".join(
                f"{name} = v.{name}" + ("::jsonb" if isinstance(f, models.JSONField) else "")
                for name, f in zip(names, fields, strict=True)
            )
            cursor.execute(
                f"UPDATE {table} SET {assign} FROM unnest({arrays}) AS v(id, {', '.join(names)}) "  # noqa: S608  (model names)
                f"WHERE {table}.id = v.id",
                [[row.pk for row in rows], *(list(values) for values in prepared)],
            )
            return
        assign = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
        cursor.executemany(
            f"UPDATE {table} SET {assign} WHERE id = %s",  # noqa: S608  (model names)
            [(*values, row.pk) for row, *values in zip(rows, *prepared, strict=True)],
        )


#: the columns the commit decides (the verdict and the record written); the file's cells and
#: the validated values never change there
COMMITTED = ("status", "messages", "object_id", "written_at")

_ROW_COLUMNS = tuple(f.attname for f in ImportRow._meta.concrete_fields)


def load_rows(
    queryset: models.QuerySet[ImportRow], columns: tuple[str, ...] = _ROW_COLUMNS
) -> list[ImportRow]:
    """The staging rows of ``queryset`` as instances, from one ``values_list`` (the columns decoded
    as the model would, JSON included) built with ``new_instance``: ``Model.from_db`` per row cost
    ≈ 0.1 ms, as much as validating a simple row. The rows count as saved rows (``save_rows``).

    ``columns`` (with ``id``) reads only those: the others hold their defaults, so such rows are
    written back with ``save_outcome`` of read columns only, never with ``save_rows``."""
    out = []
    for values in queryset.values_list(*columns):
        row = new_instance(ImportRow, dict(zip(columns, values, strict=True)))
        row._state.adding, row._state.db = False, connection.alias
        out.append(row)
    return out


def _jsonable(cell: Any) -> Any:
    if isinstance(cell, datetime.datetime | datetime.date | datetime.time):
        return cell.isoformat()
    if isinstance(cell, decimal.Decimal):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one chunk. A chunk allocates hundreds of
    thousands of objects that live until it ends (rows, records, change-log rows, events, keys):
    each allocation threshold crossed started a collection that walked all of them again
    (500-600 collections, 1.7-2.8 s of a 20,000-row import, ≈ 13 %). Objects are still freed by
    their reference counts at once; the cycles a chunk leaves are collected when it ends.
    Never held across a ``yield``: a generator left suspended (an exception's traceback keeps
    it) would leave the collector off for the whole process.

    The block should drop the chunk's objects before it ends (``rows.clear()``, locals of a
    function it called): the collector counts the objects allocated and not yet freed while it
    is off, and the first allocation after it is back walks every one still alive — with the
    chunk still held, each chunk's end walked its 50,000-300,000 live objects again, and the
    survivors moved on to the older generations until a full collection walked the whole
    process (≈ 80 collections, ≈ 5 % of a 20,000-row import's wall time)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- validate --------------------------------------------------------------------------------------
class Validator:
    """The lookups of one batch, loaded once, and the per-chunk checks (see the module docstring)."""

    def __init__(self, batch: ImportBatch) -> None:
        from guanxi.framework.write import owner_choices

        self.batch = batch
        self.model = model_of(batch)
        self.user = batch.user
        self.fields = {f.name: f for f in importable_fields(self.model, self.user)}
        self.mapping = {int(i): name for i, name in batch.mapping.items() if name in self.fields}
        self.value_map = {
            name: {header_key(k): v for k, v in (pairs or {}).items()}
            for name, pairs in batch.value_map.items()
        }
        self.spec = spec_for(self.model)
        self.declared_values = {
            name: {header_key(k): v for k, v in pairs.items()} for name, pairs in self.spec.values.items()
        }
        self.key = batch.match_key if batch.match_key in self.fields else ""
        self.seen: dict[str, int] = {}  # normalised key → the first row holding it (in-file duplicates)
        self.unique_seen: dict[str, dict[Any, int]] = {}
        self.users: dict[str, list[int]] | None = None
        self.allowed_owners: set[int] | None = None
        self._owner_choices = owner_choices
        # clean_fields() skips what the file does not set (defaults are valid) and every foreign
        # key (one query each; the engine resolved them itself): the same list for every row
        given = set(self.mapping.values())
        self._not_checked = [
            f.name
            for f in self.model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) or f.name not in given
        ]
        # the fields clean_fields() checks, in its order, each with whether its verdict depends on
        # the value alone (then each distinct value of a chunk is cleaned once: ``clean_fields``)
        self._checked = [
            (f, _value_only(f))
            for f in self.model._meta.fields
            if f.name not in self._not_checked and not f.generated
        ]
        self._cleaned: dict[tuple[str, type, Any], tuple[Any, list[ValidationError] | None]] = {}

    # lookups -------------------------------------------------------------------------------------
    def _load_users(self) -> dict[str, list[int]]:
        """Every user by username, full name (and 王芳 as last + first name) and phone: one query."""
        if self.users is None:
            found: dict[str, list[int]] = {}
            for pk, username, name, first, last, phone in get_user_model().objects.values_list(
                "pk", "username", "name", "first_name", "last_name", "phone"
            ):
                for word in {username, name, f"{last}{first}", f"{first} {last}".strip(), phone}:
                    if word:
                        found.setdefault(word.strip().lower(), []).append(pk)
            self.users = found
            self.allowed_owners = set(self._owner_choices(self.user, self.model).values_list("pk", flat=True))
        return self.users

    def _resolve_related(self, info: FieldInfo, texts: set[str]) -> dict[str, list[int]]:
        """Rows of a foreign key's model named by these texts (id, name, code, sku): one query."""
        related = info.related
        names = {f.name for f in related._meta.concrete_fields}
        condition = Q()
        for candidate in ("name", "name_en", "code", "sku", "slug"):
            if candidate in names:
                condition |= Q(**{f"{candidate}__in": texts})
        digits = {int(t) for t in texts if t.isdigit()}
        if digits:
            condition |= Q(pk__in=digits)
        if not condition:
            return {}
        from guanxi.framework.entities import entity_for
        from guanxi.framework.querysets import model_queryset

        rows = model_queryset(related)
        if entity_for(related) is not None and hasattr(rows, "restrict"):
            rows = rows.restrict(self.user, "view")
        wanted = [c for c in ("name", "name_en", "code", "sku", "slug") if c in names]
        found: dict[str, list[int]] = {}
        for row in rows.filter(condition).values("pk", *wanted):
            for word in {str(row["pk"]), *(str(row[c]) for c in wanted if row[c])}:
                if word in texts:
                    found.setdefault(word, []).append(row["pk"])
        return found

    # one row ---------------------------------------------------------------------------------------
    def parse(
        self, raw: list[Any], related: dict[str, dict[str, list[int]]]
    ) -> tuple[dict[str, Any], list[list[str]]]:
        """The row's mapped cells as field values (empty cells left out), and its errors."""
        parsed: dict[str, Any] = {}
        errors: list[list[str]] = []
        for index, name in self.mapping.items():
            info = self.fields[name]
            cell = raw[index] if index < len(raw) else None
            title = self.batch.header[index] if index < len(self.batch.header) else info.label
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if cells.is_formula(cell):
                errors.append([title, _("Formulas are not imported; paste the value instead.")])
                continue
            try:
                parsed[info.attname] = self.convert(info, cell, related)
            except ValueError as problem:
                errors.append([title, str(problem)])
        return parsed, errors

    def convert(self, info: FieldInfo, cell: Any, related: dict[str, dict[str, list[int]]]) -> Any:
        kind = info.kind
        if kind == "text":
            return cells.text(cell)
        if kind == "choice":
            return self.choice(info, cell)
        if kind == "bool":
            return cells.boolean(cell)
        if kind in ("int", "id"):
            return cells.integer(cell)
        if kind == "decimal":
            return cells.number(cell)
        if kind == "date":
            return cells.date(cell)
        if kind == "datetime":
            return (
                timezone.make_aware(cells.moment(cell))
                if not isinstance(cell, datetime.datetime) or timezone.is_naive(cell)
                else cell
            )
        text = cells.text(cell)
        if kind == "user":
            found = self._load_users().get(text.lower(), [])
            if not found:
                raise ValueError(_("no such user: %(name)s") % {"name": text[:50]})
            if len(found) > 1:
                raise ValueError(
                    _("several users are called %(name)s: use the username") % {"name": text[:50]}
                )
            return found[0]
        found = related.get(info.name, {}).get(text, [])
        if not found:
            raise ValueError(
                _("no %(type)s named %(name)s") % {"type": info.related._meta.verbose_name, "name": text[:50]}
            )
        if len(found) > 1:
            raise ValueError(
                _("several %(type)s are named %(name)s: use the code or ID")
                % {"type": info.related._meta.verbose_name_plural, "name": text[:50]}
            )
        return found[0]

    def choice(self, info: FieldInfo, cell: Any) -> str:
        key = header_key(cells.text(cell))
        mapped = self.value_map.get(info.name, {}).get(key)
        if mapped is None:
            mapped = self.declared_values.get(info.name, {}).get(key)
        if mapped is not None:
            return str(mapped)
        for candidate in (key, key.rstrip("级类等型档")):  # "A级" / "A类" name level A
            for choice, names in info.choices:
                if candidate in names:
                    return choice
        raise ValueError(
            _("“%(value)s” is not one of the choices: %(choices)s")
            % {"value": cells.text(cell)[:50], "choices": "、".join(info.choice_labels()[:12])}
        )

    def instance(self, parsed: dict[str, Any], target: models.Model | None = None) -> models.Model:
        # new_instance: the constructor's per-field work (≈ 60 µs for a customer) without its
        # signals, which no model of ours listens to for unsaved rows
        if target is None:
            # a new row's plain columns straight into the new instance: all ``setattr`` does for
            # them (Django's descriptors of a column and of a foreign key's id, the latter also
            # dropping a cached related object, which a new instance has not); any other
            # attribute (a descriptor of the model's own, ``line_*`` values) is set as before
            plain = stored_attnames(self.model)
            obj = new_instance(self.model, {a: v for a, v in parsed.items() if a in plain and a != "id"})
            for attname, value in parsed.items():
                if attname not in plain and attname != "id":
                    setattr(obj, attname, value)
        else:
            obj = target
            for attname, value in parsed.items():
                if attname != "id":
                    setattr(obj, attname, value)
        if self.spec.prepare is not None:
            self.spec.prepare(obj)
        return obj

    def clean(self, obj: models.Model) -> list[list[str]]:
        """The model's own rules on one row, without the per-cell queries of foreign-key checks."""
        errors: list[list[str]] = []
        try:
            self.clean_fields(obj)
            obj.clean()
        except ValidationError as problem:
            details = problem.message_dict if hasattr(problem, "error_dict") else {"": problem.messages}
            titles = {
                name: self.batch.header[i] for i, name in self.mapping.items() if i < len(self.batch.header)
            }
            for name, messages in details.items():
                label = titles.get(name) or (capfirst(self.fields[name].label) if name in self.fields else "")
                if name and name not in self.fields:  # a field the file cannot set
                    try:
                        label = capfirst(str(_field(self.model, name).verbose_name))
                    except Exception:
                        label = ""
                errors.extend([label, str(m)] for m in messages)
        return errors

    def clean_fields(self, obj: models.Model) -> None:
        """``obj.clean_fields()`` without the foreign keys and the fields the file does not set
        (``_not_checked``), the same code and messages — each field's ``clean(value, obj)`` —
        with each distinct value of a column cleaned once a chunk where the field's verdict depends
        on the value alone (``_value_only``): a level, an owner's name or a city repeats on
        thousands of rows. Raises ``ValidationError`` ``{field: errors}`` like ``clean_fields``."""
        errors: dict[str, list[ValidationError]] = {}
        memo = self._cleaned
        for field, value_only in self._checked:
            raw = getattr(obj, field.attname)
            if field.blank and raw in field.empty_values:
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            key = (field.attname, type(raw), raw) if value_only else None
            try:
                cleaned, problems = memo[key]  # type: ignore[index]
            except (KeyError, TypeError) as unknown:  # not seen yet, or unhashable (a dict): clean it
                try:
                    cleaned, problems = field.clean(raw, obj), None
                except ValidationError as problem:
                    cleaned, problems = raw, problem.error_list
                if key is not None and isinstance(unknown, KeyError) and len(memo) < _CLEANED_MAX:
                    memo[key] = (cleaned, problems)
            if problems is None:
                setattr(obj, field.attname, cleaned)
            else:
                errors[field.name] = problems
        if errors:
            raise ValidationError(errors)

    def key_of(self, obj: models.Model, parsed: dict[str, Any]) -> str:
        if not self.key:
            return ""
        if self.key == "id":
            return str(parsed.get("id") or "")
        value = getattr(obj, self.fields[self.key].attname)
        text = "" if value is None else str(value).strip()
        return text.lower() if self.key == "email" else text

    # one chunk -------------------------------------------------------------------------------------
    def load_related(self, rows: Iterable[ImportRow]) -> dict[str, Any]:
        """The records the rows' reference cells name, one query per reference field (and the
        users, once, when a column names people): ``{field: {text: pks}}``."""
        related_texts: dict[str, set[str]] = {
            name: set() for name in self.mapping.values() if self.fields[name].kind == "fk"
        }
        if related_texts:
            for row in rows:
                for index, name in self.mapping.items():
                    if name in related_texts and index < len(row.raw) and str(row.raw[index] or "").strip():
                        related_texts[name].add(cells.text(row.raw[index]))
        if any(self.fields[n].kind == "user" for n in self.mapping.values()):
            self._load_users()
        return {
            name: self._resolve_related(self.fields[name], texts)
            for name, texts in related_texts.items()
            if texts
        }

    def chunk(self, rows: list[ImportRow]) -> None:
        """Validate one chunk of staging rows in place (statuses, values, messages, object ids)."""
        self._cleaned.clear()  # choice lists and custom-field definitions are read once a chunk
        related = self.load_related(rows)

        staged: list[tuple[ImportRow, dict[str, Any], models.Model, str]] = []
        for row in rows:
            row.messages, row.object_id, row.values = [], None, None
            parsed, errors = self.parse(row.raw, related)
            obj = self.instance(parsed)
            if not errors:
                errors = self.clean(obj)
            owner_id = parsed.get("owner_id")
            if not errors and owner_id is not None and owner_id not in (self.allowed_owners or set()):
                from guanxi.framework.write import OWNER_REFUSED_MESSAGE

                owner = self.fields["owner"].label if "owner" in self.fields else "owner"
                errors.append(
                    [
                        owner,
                        str(OWNER_REFUSED_MESSAGE % {"user": cells.text(row.raw[self._index_of("owner")])}),
                    ]
                )
            if errors:
                row.status, row.messages = R.ERROR, errors
                continue
            staged.append((row, parsed, obj, self.key_of(obj, parsed)))

        targets = self._match(staged)
        self._unique_checks(staged, targets)
        to_write: list[tuple[int, Any, int | None]] = []
        for row, parsed, obj, _key in staged:
            if row.status in (R.ERROR, R.SKIPPED, R.REVIEW):
                continue
            target = targets.get(row.number)
            if target is not None:
                obj = self.instance(parsed, target)
                errors = self.clean(obj)
                if errors:
                    row.status, row.messages = R.ERROR, errors
                    continue
                changed = obj.changed_fields() - {"updated_at", "updated_by"}  # type: ignore[attr-defined]
                if not changed:
                    row.status, row.object_id = R.SKIPPED, target.pk
                    row.messages = [["", _("No change: the record already holds these values.")]]
                    continue
            row.status = R.VALID
            row.object_id = target.pk if target is not None else None
            derives = _derives(type(obj))
            if derives:
                # the columns the write derives from the row's values, once: the checks below read
                # them (撞单 by name key), and a new record's commit writes them as carried here
                obj.derive()  # type: ignore[attr-defined]
            row.values = _dump(obj, parsed)
            if derives and target is None:
                row.values[DERIVED_KEY] = True
            to_write.append((row.number, obj, row.object_id))
        if self.spec.check is not None and to_write:
            by_number = {row.number: row for row, *_rest in staged}
            for number, (status, message) in self.spec.check(to_write, self.user).items():
                row = by_number[number]
                row.status, row.messages = status, [["", message]]

    def _index_of(self, name: str) -> int:
        return next(i for i, n in self.mapping.items() if n == name)

    def _match(
        self, staged: list[tuple[ImportRow, dict[str, Any], models.Model, str]]
    ) -> dict[int, models.Model]:
        """Apply mode and duplicate policy: in-file duplicates, then one query for the database's
        records holding the chunk's keys. Returns row number → the record the row updates."""
        from guanxi.framework.querysets import model_queryset, values_in

        batch, policy = self.batch, self.batch.policy
        keys: dict[str, list[ImportRow]] = {}
        for row, _parsed, _obj, key in staged:
            if not key:
                if batch.mode == ImportBatch.Mode.UPDATE:
                    row.status = R.ERROR
                    row.messages = [["", _("This row has no value to find the record by.")]]
                continue
            first = self.seen.get(key)
            if first is not None and first != row.number:
                message = _("Same %(field)s as row %(row)s.") % {
                    "field": self.fields[self.key].noun,
                    "row": first,
                }
                if policy == ImportBatch.Policy.REVIEW:
                    row.status, row.messages = R.REVIEW, [["", message]]
                elif policy != ImportBatch.Policy.CREATE or batch.mode != ImportBatch.Mode.CREATE:
                    row.status, row.messages = R.SKIPPED, [["", message]]
                continue
            self.seen[key] = row.number
            keys.setdefault(key, []).append(row)
        if not keys:
            return {}
        attname = "pk" if self.key == "id" else self.fields[self.key].attname
        # keys are normalised as the model's clean() leaves them (E.164 phones, lower-case e-mails)
        wanted: list[Any] = [int(k) for k in keys if k.isdigit()] if self.key == "id" else list(keys)
        existing: dict[str, list[int]] = {}
        found = (
            model_queryset(self.model)
            .filter(values_in(self.model, attname, wanted))
            .values_list("pk", attname)
        )
        for pk, value in found:
            key = str(value).strip()
            existing.setdefault(key.lower() if self.key == "email" else key, []).append(pk)
        changeable = set(
            model_queryset(self.model)
            .restrict(self.user, "change")
            .filter(values_in(self.model, "pk", [pk for pks in existing.values() for pk in pks]))
            .values_list("pk", flat=True)
        )
        update_ids: dict[int, int] = {}
        label = self.fields[self.key].noun
        for key, rows in keys.items():
            pks = existing.get(key, [])
            for row in rows:
                if not pks:
                    if batch.mode == ImportBatch.Mode.UPDATE:
                        row.status = R.ERROR
                        row.messages = [
                            ["", _("No record has %(field)s “%(value)s”.") % {"field": label, "value": key}]
                        ]
                    continue
                if len(pks) > 1:
                    row.status = R.ERROR
                    row.messages = [
                        [
                            "",
                            _("Several records have %(field)s “%(value)s”: match on another field.")
                            % {"field": label, "value": key},
                        ]
                    ]
                    continue
                updating = batch.mode != ImportBatch.Mode.CREATE or policy == ImportBatch.Policy.UPDATE
                if batch.mode == ImportBatch.Mode.CREATE and policy != ImportBatch.Policy.UPDATE:
                    message = _("A record with %(field)s “%(value)s” already exists.") % {
                        "field": label,
                        "value": key,
                    }
                    if policy == ImportBatch.Policy.SKIP:
                        row.status, row.object_id, row.messages = R.SKIPPED, pks[0], [["", message]]
                    elif policy == ImportBatch.Policy.REVIEW:
                        row.status, row.object_id, row.messages = R.REVIEW, pks[0], [["", message]]
                    continue  # policy "create anyway": a new record
                if updating and pks[0] not in changeable:
                    row.status = R.ERROR
                    row.messages = [
                        [
                            "",
                            _("The record with %(field)s “%(value)s” is not one you may change.")
                            % {"field": label, "value": key},
                        ]
                    ]
                    continue
                update_ids[row.number] = pks[0]
        loaded = model_queryset(self.model).in_bulk(set(update_ids.values()))
        return {number: loaded[pk] for number, pk in update_ids.items() if pk in loaded}

    def _unique_checks(
        self,
        staged: list[tuple[ImportRow, dict[str, Any], models.Model, str]],
        targets: dict[int, models.Model],
    ) -> None:
        """Unique fields (a product's SKU) among the file's rows and against the database."""
        from guanxi.framework.querysets import model_queryset

        for name in self.mapping.values():
            model_field = _field(self.model, name) if name != "id" else None
            if model_field is None or not model_field.unique or name == self.key:
                continue
            attname = model_field.attname
            seen = self.unique_seen.setdefault(name, {})
            values = {}
            for row, parsed, _obj, _key in staged:
                value = parsed.get(attname)
                if value in (None, "") or row.status in (R.ERROR, R.SKIPPED, R.REVIEW):
                    continue
                if value in seen:
                    row.status = R.ERROR
                    row.messages = [
                        [self.fields[name].label, _("Same value as row %(row)s.") % {"row": seen[value]}]
                    ]
                    continue
                seen[value] = row.number
                values[value] = row
            taken = dict(
                model_queryset(self.model)
                .filter(**{f"{attname}__in": list(values)})
                .values_list(attname, "pk")
            )
            for value, row in values.items():
                target = targets.get(row.number)
                if value in taken and (target is None or target.pk != taken[value]):
                    row.status = R.ERROR
                    row.messages = [
                        [
                            self.fields[name].label,
                            _("Another record already has “%(value)s”.") % {"value": value},
                        ]
                    ]


_CLEANED_MAX = 50_000  # distinct values remembered by ``Validator.clean_fields`` (a chunk's)


def _value_only(field: models.Field) -> bool:
    """Whether ``field.clean(value, obj)`` depends on the value alone: Django's own ``clean`` and
    ``validate`` (which read only the value and the field's settings; choices are read once a
    chunk anyway) on a field that is no relation. A field class with its own ``clean`` or
    ``validate`` may look at the row, so it is cleaned on every row."""
    kind = type(field)
    return (
        not field.is_relation
        and kind.clean is models.Field.clean
        and kind.validate.__module__.startswith("django.db.models.fields")
    )


def _dump(obj: models.Model, parsed: dict[str, Any]) -> dict[str, Any]:
    """The values to write, JSON-ready: the parsed cells as the model's rules left them, and the
    fields the rules filled in that a new record leaves empty (a deal's pipeline and first
    stage): the commit writes these values without running ``clean()`` again."""
    from guanxi.framework.changes import normalize

    out = {}
    for attname in parsed:
        if attname != "id" and not attname.startswith("line_"):
            out[attname] = normalize(getattr(obj, attname))
    if not obj._state.adding:  # an update: what the rules changed besides the cells
        changed = obj.changed_fields() if hasattr(obj, "changed_fields") else set()
        for name in changed:
            attname = _field(type(obj), name).attname
            if attname not in out and attname not in _BOOKKEEPING_ATTS:
                out[attname] = normalize(getattr(obj, attname))
        return out
    for attname in _unset_attnames(type(obj)):
        if attname not in out:
            value = getattr(obj, attname, None)
            if value is not None and value != "":
                out[attname] = normalize(value)
    return out


#: in a new record's validated values: they hold what ``derive()`` computes (the validation ran
#: it), so the commit's write does not run it again (``ChangeLoggedModel.mark_derived``); values
#: validated without it (before this key existed) are derived again as they are written
DERIVED_KEY = "__derived__"


@functools.cache
def _derives(model: type[models.Model]) -> bool:
    """Whether ``model`` has columns derived from its values (its own ``derive``)."""
    return issubclass(model, ChangeLoggedModel) and model.derive is not ChangeLoggedModel.derive


_BOOKKEEPING_ATTS = {"created_at", "updated_at", "created_by_id", "updated_by_id", "department_id"}
_BLANKS: dict[type[models.Model], models.Model] = {}


def _blank(model: type[models.Model]) -> models.Model:
    """A new record of ``model`` as the constructor leaves it (what "unset" looks like)."""
    if model not in _BLANKS:
        _BLANKS[model] = new_instance(model, {})
    return _BLANKS[model]


@functools.cache
def _unset_attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The columns ``_dump`` looks at on a new row: those a new record leaves empty (None or ""),
    but the key and the bookkeeping the write path stamps — once per model, not once a row."""
    blank = _blank(model)
    return tuple(
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.attname not in _BOOKKEEPING_ATTS
        and getattr(blank, f.attname, None) in (None, "")
    )


def validate(batch: ImportBatch, *, progress: Progress | None = None) -> ImportBatch:
    """Check every staged row (see the module docstring); writes only staging rows and counters."""
    started = time.monotonic()
    validator = Validator(batch)
    if not validator.mapping:
        raise ValidationError(_("Match at least one column to a field."))
    if validator.spec.lines is not None:
        from guanxi.imports import lines

        return lines.validate(validator, progress=progress)
    done = 0
    last = 0
    # the batch's actor context: lookups that check their freshness once a request (the choice
    # lists) do it once for the batch instead of once a cell
    with actor_context(batch.user, source=Source.TASK, request_id=batch.request_id), translation_of(batch):
        while True:
            with collector_paused():
                rows = load_rows(
                    batch.rows.filter(number__gt=last)
                    .exclude(status__in=[R.CREATED, R.UPDATED, R.UNDONE])
                    .order_by("number")[: chunk_size()]
                )
                if not rows:
                    break
                with definitions_pinned():  # custom-field definitions read once a chunk, not twice a row
                    validator.chunk(rows)
                # whole rows: validation fills each row's values, and growing every row of a chunk in
                # place (an UPDATE) splits SQLite's pages — measured slower than writing them anew
                save_rows(rows)
                last, count = rows[-1].number, len(rows)
                rows.clear()  # freed before the collector is back (see collector_paused)
            done += count
            if progress:
                progress("validate", done, batch.total)
            _check_cancel(batch)
    return finish_validation(batch, started)


def finish_validation(batch: ImportBatch, started: float) -> ImportBatch:
    """Count the rows by status, mark the batch validated and record how long it took."""
    _count(batch)
    batch.status = ImportBatch.Status.VALIDATED
    batch.timings = {**batch.timings, "validate": round(time.monotonic() - started, 3)}
    batch.save()
    return batch


def translation_of(batch: ImportBatch) -> Any:
    """Messages in the importer's language (the page's, kept on the batch's job, or the user's)."""
    from django.conf import settings
    from django.utils import translation

    language = (batch.job.params.get("language") if batch.job else "") or getattr(batch.user, "language", "")
    return translation.override(language or translation.get_language() or settings.LANGUAGE_CODE)


def _count(batch: ImportBatch) -> None:
    counts = dict(batch.rows.values_list("status").annotate(n=models.Count("pk")))
    batch.valid = counts.get(R.VALID, 0)
    batch.failed = counts.get(R.ERROR, 0)
    batch.review = counts.get(R.REVIEW, 0)
    batch.skipped = counts.get(R.SKIPPED, 0)
    batch.created = counts.get(R.CREATED, 0)
    batch.updated = counts.get(R.UPDATED, 0)


def _check_cancel(batch: ImportBatch) -> None:
    if ImportBatch.objects.filter(pk=batch.pk, cancel_requested=True).exists():
        raise ImportCancelled


# -- commit ----------------------------------------------------------------------------------------
def commit(
    batch: ImportBatch, *, progress: Progress | None = None, crash_after: int | None = None
) -> ImportBatch:
    """Write the valid rows, a chunk per transaction (one transaction for all-or-nothing).

    Safe to call again after a crash: it carries on with the rows still ``valid``.
    ``crash_after`` (tests) raises after that many chunks, as a killed worker would stop.
    """
    from guanxi.framework.querysets import model_queryset

    started = time.monotonic()
    model = model_of(batch)
    check_permission(batch.user, model, batch.mode)
    if batch.all_or_nothing and batch.rows.filter(status__in=[R.ERROR, R.PENDING]).exists():
        raise ValidationError(
            _("Some rows have errors and the import is all or nothing: nothing was written.")
        )
    batch.status = ImportBatch.Status.COMMITTING
    batch.save(update_fields=["status"])
    if spec_for(model).lines is not None:
        from guanxi.imports import lines

        return lines.commit(batch, progress=progress, started=started)
    # every concrete field: the values include what the model's rules filled in (``_dump``)
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    # text columns whose ``to_python`` gives a string back as it is (Django's own): not called
    text = {
        a
        for a, f in fields.items()
        if type(f).to_python in (models.CharField.to_python, models.TextField.to_python)
    }
    validator = Validator(batch)
    content_type = ContentType.objects.get_for_model(model)
    done = batch.rows.filter(status__in=[R.CREATED, R.UPDATED]).count()
    chunks = 0

    def one_chunk(rows: list[ImportRow]) -> None:
        with transaction.atomic():
            # one import of this entity type writes at a time: the keys checked below stay true
            ContentType.objects.select_for_update().filter(pk=content_type.pk).first()
            creates: list[tuple[ImportRow, models.Model]] = []
            updates: list[tuple[ImportRow, models.Model]] = []
            targets = (
                model_queryset(model).select_for_update().in_bulk([r.object_id for r in rows if r.object_id])
            )
            for row in rows:
                stored = row.values or {}
                values = {
                    a: v if a not in fields or (a in text and type(v) is str) else fields[a].to_python(v)
                    for a, v in stored.items()
                    if a != DERIVED_KEY
                }
                if row.object_id:
                    target = targets.get(row.object_id)
                    if target is None:
                        row.status, row.messages = R.ERROR, [["", _("The record was deleted meanwhile.")]]
                        continue
                    updates.append((row, validator.instance(values, target)))
                else:
                    created = validator.instance(values)
                    if stored.get(DERIVED_KEY) and isinstance(created, ChangeLoggedModel):
                        created.mark_derived()  # its validation derived its columns (``chunk``)
                    creates.append((row, created))
            creates = _still_new(validator, creates)
            _write(model, batch, creates, updates)
            save_outcome(rows, COMMITTED)

    def each_chunk(cancellable: bool) -> Iterator[int]:
        """Read and write the valid rows a chunk at a time; yields each chunk's row count. A chunk
        is read and written with the collector paused, its rows dropped before it is back (see
        ``collector_paused``; never paused across the ``yield``)."""
        last = 0
        while True:
            with collector_paused():
                rows = _valid_rows(batch, last)
                if not rows:
                    return
                if cancellable:
                    _check_cancel(batch)
                one_chunk(rows)
                last, count = rows[-1].number, len(rows)
                rows.clear()
            yield count

    with actor_context(batch.user, source=Source.TASK, request_id=batch.request_id), translation_of(batch):
        try:
            if batch.all_or_nothing:
                with transaction.atomic():
                    for count in each_chunk(cancellable=False):
                        done += count
                        if progress:
                            progress("commit", done, batch.valid + done)
            else:
                for count in each_chunk(cancellable=True):
                    chunks += 1
                    done += count
                    if progress:
                        progress("commit", done, done + batch.rows.filter(status=R.VALID).count())
                    if crash_after is not None and chunks >= crash_after:
                        raise RuntimeError("simulated crash")
        except ImportCancelled:
            _count(batch)
            batch.status = ImportBatch.Status.CANCELLED
            batch.finished_at = timezone.now()
            batch.save()
            raise
    _count(batch)
    batch.status = ImportBatch.Status.COMPLETED
    batch.finished_at = timezone.now()
    batch.timings = {**batch.timings, "commit": round(time.monotonic() - started, 3)}
    batch.save()
    return batch


_COMMIT_COLUMNS = ("id", "number", "batch_id", "values", *COMMITTED)


def _valid_rows(batch: ImportBatch, last: int) -> list[ImportRow]:
    """The next chunk of rows to write after row ``last``: what the commit reads and decides, not
    the file's cells (JSON decoded for nothing)."""
    return load_rows(
        batch.rows.filter(status=R.VALID, number__gt=last).order_by("number")[: chunk_size()],
        _COMMIT_COLUMNS,
    )


def _still_new(
    validator: Validator, creates: list[tuple[ImportRow, models.Model]]
) -> list[tuple[ImportRow, models.Model]]:
    """Rows to create whose key a record got meanwhile (another import of the same file, under
    the lock now): skipped, unless the policy is to create anyway."""
    from guanxi.framework.querysets import model_queryset, values_in

    batch = validator.batch
    if not validator.key or validator.key == "id" or batch.policy == ImportBatch.Policy.CREATE or not creates:
        return creates
    attname = validator.fields[validator.key].attname
    keys = {validator.key_of(obj, {}): row for row, obj in creates}
    keys.pop("", None)
    taken = {
        str(v).lower() if validator.key == "email" else str(v)
        for v in model_queryset(validator.model)
        .filter(values_in(validator.model, attname, keys))
        .values_list(attname, flat=True)
    }
    out = []
    for row, obj in creates:
        if validator.key_of(obj, {}) in taken:
            row.status = R.SKIPPED
            row.messages = [
                [
                    "",
                    _("A record with this %(field)s was created meanwhile.")
                    % {"field": validator.fields[validator.key].noun},
                ]
            ]
        else:
            out.append((row, obj))
    return out


def _write(
    model: type[models.Model],
    batch: ImportBatch,
    creates: list[tuple[ImportRow, models.Model]],
    updates: list[tuple[ImportRow, models.Model]],
) -> None:
    from guanxi.framework.write import bulk_create_objects, bulk_update_objects

    if creates:
        # the write path stamps every instance (auto_now set as it inserts): undo compares these
        bulk_create_objects(model, [obj for _row, obj in creates], actor=batch.user)
        for row, obj in creates:
            row.status, row.object_id = R.CREATED, obj.pk
            row.written_at = getattr(obj, "updated_at", None)
    if updates:
        try:
            bulk_update_objects(model, [obj for _row, obj in updates], actor=batch.user)
        except ValidationError as refused:  # a write guard (a record under approval): that row fails
            bad = {int(key.split(".")[0]): messages for key, messages in refused.message_dict.items()}
            for index, messages in bad.items():
                updates[index][0].status, updates[index][0].messages = R.ERROR, [["", m] for m in messages]
            updates = [pair for i, pair in enumerate(updates) if i not in bad]
            bulk_update_objects(model, [obj for _row, obj in updates], actor=batch.user)
        for row, obj in updates:
            row.status, row.written_at = R.UPDATED, getattr(obj, "updated_at", None)


# -- run, undo, error file ------------------------------------------------------------------------
def run(batch: ImportBatch, *, dry_run: bool = False, progress: Progress | None = None) -> ImportBatch:
    """Validate, then (unless a dry run, or all-or-nothing with errors) commit."""
    check_permission(batch.user, model_of(batch), batch.mode)
    try:
        validate(batch, progress=progress)
    except ImportCancelled:
        batch.status, batch.finished_at = ImportBatch.Status.CANCELLED, timezone.now()
        batch.save()
        return batch
    if dry_run:
        return batch
    if batch.all_or_nothing and (batch.failed or batch.review):
        batch.status = ImportBatch.Status.FAILED
        batch.error = _(
            "%(n)s rows have errors or need review and the import is all or nothing: nothing was written."
        ) % {"n": batch.failed + batch.review}
        batch.finished_at = timezone.now()
        batch.save()
        return batch
    try:
        return commit(batch, progress=progress)
    except ImportCancelled:
        return batch


def undo(batch: ImportBatch, actor: Any) -> dict[str, int]:
    """Delete what the batch created and revert what it updated, each record only if nothing
    changed it since the import (its ``updated_at`` is still the one the import wrote).

    Returns ``{"removed": n, "reverted": n, "refused": n}``; refused rows say why in their messages.
    """
    from guanxi.core.models import ObjectChange
    from guanxi.framework.querysets import model_queryset
    from guanxi.framework.write import bulk_update_objects, delete_objects
    from guanxi.imports import lines

    model = model_of(batch)
    if not ImportBatch.objects.visible_to(actor).filter(pk=batch.pk).exists():
        raise PermissionDenied(_("Only who ran an import can undo it."))
    counts = {"removed": 0, "reverted": 0, "refused": 0}
    content_type = ContentType.objects.get_for_model(model)
    last = 0
    # the rows of one record with its lines share it, and may fall into different chunks
    handled: set[int] = set()
    refused: dict[int, list[list[str]]] = {}  # record pk → why it stays
    with actor_context(actor, source=Source.TASK):
        while True:
            rows = load_rows(
                batch.rows.filter(status__in=[R.CREATED, R.UPDATED], number__gt=last).order_by("number")[
                    :CHUNK
                ]
            )
            if not rows:
                break
            last = rows[-1].number
            with transaction.atomic():
                records = model_queryset(model).select_for_update().in_bulk([r.object_id for r in rows])
                # records imported with their lines: the lines are checked and put back too
                line_spec = spec_for(model).lines
                with_lines = lines.LinesUndo(batch, line_spec, records) if line_spec else None
                befores = {
                    c.changed_object_id: c.prechange_data
                    for c in ObjectChange.objects.filter(
                        request_id=batch.request_id,
                        action="update",
                        changed_object_type=content_type,
                        changed_object_id__in=[r.object_id for r in rows if r.status == R.UPDATED],
                    )
                }
                to_delete, to_revert = [], []
                for row in rows:
                    if row.object_id in handled:
                        row.status = R.UNDONE
                        continue
                    if row.object_id in refused:
                        row.messages = refused[row.object_id]
                        continue
                    record = records.get(row.object_id)
                    stamp = getattr(record, "updated_at", None)
                    if record is None or (row.written_at and stamp != row.written_at):
                        why = _("Not undone: the record was changed or deleted after the import.")
                    else:
                        why = with_lines.refusal(record) if with_lines else ""
                    if why or record is None:
                        row.messages = refused[row.object_id or 0] = [["", why]]
                        counts["refused"] += 1
                        continue
                    if row.status == R.CREATED:
                        to_delete.append(record)
                    else:
                        for name, value in (befores.get(record.pk) or {}).items():
                            model_field = _field(model, name)
                            setattr(record, model_field.attname, model_field.to_python(value))
                        to_revert.append(record)
                    row.status = R.UNDONE
                    handled.add(record.pk)
                if with_lines:
                    with_lines.restore(to_revert, actor)
                delete_objects(to_delete, actor=actor)
                bulk_update_objects(model, to_revert, actor=actor, check_visible=False)
                counts["removed"] += len(to_delete)
                counts["reverted"] += len(to_revert)
                save_rows(rows)
    _count(batch)
    batch.status = ImportBatch.Status.UNDONE
    batch.save()
    return counts


def error_rows(batch: ImportBatch) -> Iterator[list[Any]]:
    """The error file's rows: the header plus a reason column, then each failed or flagged row as
    it was in the file with its reasons ("列: 原因; …")."""
    reason = _("Reason")
    yield [*(neutralize(h) for h in batch.header), reason]
    for row in (
        batch.rows.filter(status__in=[R.ERROR, R.REVIEW]).order_by("number").iterator(chunk_size=CHUNK)
    ):
        text = "; ".join(f"{col}: {msg}" if col else msg for col, msg in row.messages)
        cells_out = list(row.raw) + [""] * (len(batch.header) - len(row.raw))
        # The error file is opened in Excel: the export engine's neutralisation, the one rule.
        yield [
            *("" if c is None else neutralize(c) for c in cells_out),
            neutralize(_("Row %(row)s") % {"row": row.number} + " · " + text),
        ]


def write_error_file(batch: ImportBatch, out: IO[str]) -> int:
    """Write the error file as CSV (UTF-8 with BOM, what Excel opens); returns the rows written."""
    out.write("\ufeff")
    writer = csv.writer(out)
    count = -1
    for count, line in enumerate(error_rows(batch)):  # noqa: B007
        writer.writerow(line)
    return max(count, 0)


def create_batch(
    user: Any,
    model: type[models.Model],
    path: str,
    file_name: str,
    *,
    stage_now: bool = True,
    **options: Any,
) -> ImportBatch:
    """A new batch for the file at ``path`` (its permission checked), staged unless ``stage_now``
    is false — the one place batches are made (the wizard's upload, the CLI, tests).

    The wizard stages in the background job (``tasks.run_import``): it passes ``stage_now=False``,
    the storage name as ``file`` and the ``header`` it read while checking the upload, and gets
    the mapping guessed from it; its mode is chosen on the next page, so only the ``import`` verb
    is checked here (the page checks the rest when the import starts)."""
    from pathlib import Path

    check_permission(user, model, options.get("mode", ImportBatch.Mode.CREATE) if stage_now else None)
    options.setdefault("file", str(path))
    if options.get("header") and not options.get("mapping"):
        options["mapping"] = guess_mapping(options["header"], importable_fields(model, user))
    batch = ImportBatch.objects.create(
        entity=model._meta.label_lower,
        user=user,
        file_name=file_name,
        file_size=Path(path).stat().st_size,
        **options,
    )
    return stage(batch, str(path)) if stage_now else batch


__all__ = [
    "CHUNK",
    "CHUNK_POSTGRESQL",
    "ImportCancelled",
    "ImportFileError",
    "Validator",
    "commit",
    "create_batch",
    "error_rows",
    "run",
    "stage",
    "undo",
    "validate",
    "write_error_file",
]
