"""Change capture: every create, update and delete of a change-logged model becomes an ObjectChange.

Capture is framework machinery (like NetBox's), connected to Django's model signals in
``signals.py`` so that no write path can forget it: views, API, services, tasks, commands and
queryset deletes all pass through. Domain rules never live here.

Updates store only the fields that changed (before in ``prechange_data``, after in
``postchange_data``); creates store the fields of the new row that hold a value, deletes the full
row before.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from guanxi.framework.context import require_context
from guanxi.framework.events import capture as capture_events
from guanxi.framework.fastinsert import (
    insert_many,
    insert_tuples,
    json_text,
    new_instance,
    shared_dumps,
    value_converter,
)

if TYPE_CHECKING:
    from guanxi.framework.models import ChangeLoggedModel


class Action:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


_AS_IS = frozenset({str, int, bool, float, type(None)})


def normalize(value: Any) -> Any:
    """A JSON-ready, comparable form of a field value (a decimal field's: ``decimal_text``)."""
    if type(value) in _AS_IS:  # most values: nothing to do (checked first, every write asks)
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, memoryview | bytes):
        return None
    return value


def decimal_text(field: models.DecimalField, value: Any) -> Any:
    """A decimal field's value as its column stores and gives it back: ``decimal_places`` places,
    never an exponent ("100", "100.00" and ``Decimal("1E+2")`` are all "100.00"), so an amount
    saved unchanged but typed differently is no change, and history reads as the page shows it.
    Quantized as Django's own converter does when it reads the column (``field.context``); a value
    that is no number (or has too many digits: the write refuses it anyway) is kept as it is."""
    if value is None or type(value) is bool:
        return normalize(value)
    try:
        number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
        return f"{number.quantize(_places(field.decimal_places), context=field.context):f}"
    except (decimal.InvalidOperation, ValueError):
        return normalize(value)


@cache
def _places(decimal_places: int) -> decimal.Decimal:
    return decimal.Decimal(1).scaleb(-decimal_places)


@cache
def tracked_fields(model: type[models.Model]) -> tuple[tuple[str, str, models.DecimalField | None], ...]:
    """(name, attname, the field when it is a decimal field) of the fields the change log compares
    (once per model: every write asks)."""
    exclude = set(getattr(model, "changelog_exclude", ()))
    return tuple(
        (
            f.name,
            f.attname,
            f if isinstance(f, models.DecimalField) and f.decimal_places is not None else None,
        )
        for f in model._meta.concrete_fields
        if f.name not in exclude and f.attname not in exclude
    )


def field_value(value: Any, decimal_field: models.DecimalField | None) -> Any:
    """``normalize``, or ``decimal_text`` for a decimal field: one field's value in the log."""
    if decimal_field is None:
        return value if type(value) in _AS_IS else normalize(value)
    return decimal_text(decimal_field, value)


def serialize_instance(instance: models.Model) -> dict[str, Any]:
    return {
        name: field_value(getattr(instance, attname), number)
        for name, attname, number in tracked_fields(type(instance))
    }


def created_snapshot(instance: models.Model) -> dict[str, Any]:
    """What a "create" entry keeps of a new row: the fields that hold a value (empty text, None and
    empty collections say nothing about the new row and make bulk imports' history heavy).
    ``serialize_instance`` without the empty fields, in one pass (bulk creates ask once a row)."""
    out = {}
    for name, attname, number in tracked_fields(type(instance)):
        value = getattr(instance, attname)
        if number is not None:
            value = decimal_text(number, value)
        elif type(value) not in _AS_IS:
            value = normalize(value)
        if value is None or value == "" or value == [] or value == {}:
            continue
        out[name] = value
    return out


def loaded_snapshot(instance: models.Model) -> dict[str, Any] | None:
    """The row as it was loaded from the database, in ``serialize_instance`` form."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        return None
    return {
        name: field_value(loaded[attname], number)
        for name, attname, number in tracked_fields(type(instance))
        if attname in loaded
    }


def _parent(instance: models.Model) -> tuple[ContentType | None, int | None]:
    parent_field = getattr(instance, "changelog_parent", None)
    if not parent_field:
        return None, None
    field = instance._meta.get_field(parent_field)
    if isinstance(field, GenericForeignKey):
        ct_field = instance._meta.get_field(field.ct_field)
        assert isinstance(ct_field, models.ForeignKey)
        ct_id = getattr(instance, ct_field.attname)
        parent_id = getattr(instance, field.fk_field)
        return (ContentType.objects.get_for_id(ct_id) if ct_id else None), parent_id
    assert isinstance(field, models.ForeignKey), "changelog_parent names a ForeignKey or a GenericForeignKey"
    parent_id = getattr(instance, field.attname)
    if parent_id is None:
        return None, None
    return ContentType.objects.get_for_model(field.related_model), parent_id


def record_change(
    instance: models.Model, action: str, before: dict | None, after: dict | None, message: str = ""
) -> Any:
    """Write one ObjectChange for ``instance`` in the current actor context."""
    row = _change_row(instance, action, before, after, message)
    write_changes([row], [instance])
    return row


def write_changes(rows: list[Any], instances: Iterable[models.Model] = (), *, batch_size: int = 1000) -> None:
    """The one writer of ``ObjectChange`` rows and of the events that go with them (one per row,
    same transaction; ``instances`` are the changed records, for the events' payloads): written
    now, or kept for the flush in bulk mode."""
    buffer = current_buffer()
    if buffer is not None:
        buffer.add_changes(rows, instances)
        return
    if len(rows) == 1:
        rows[0].save()
    elif rows:
        from guanxi.core.models import ObjectChange

        insert_many(ObjectChange, rows, batch_size=batch_size)
    capture_events(rows, list(instances))


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed keys only: (old values, new values)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def capture_save(instance: ChangeLoggedModel, created: bool) -> None:
    # A state transition names itself on the entry of its save (guanxi.framework.statemachine).
    message = instance.__dict__.pop("_change_message", "")
    if created:
        record_change(instance, Action.CREATE, None, created_snapshot(instance), message)
    else:
        after = serialize_instance(instance)
        before = loaded_snapshot(instance)
        if before is None:  # saved without having been loaded (rare): log the full row
            record_change(instance, Action.UPDATE, None, after, message)
        else:
            old, new = diff(before, after)
            if new:
                record_change(instance, Action.UPDATE, old, new, message)
    instance._loaded_values = {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


def capture_delete(instance: models.Model) -> None:
    record_change(instance, Action.DELETE, serialize_instance(instance), None)


def record_m2m_like_change(instance: models.Model, field: str, old: list[str], new: list[str]) -> None:
    """Log a change of a set-valued attribute kept in another table (tags, team members)."""
    if sorted(old) != sorted(new):
        record_change(instance, Action.UPDATE, {field: sorted(old)}, {field: sorted(new)})


def _change_row(
    instance: models.Model, action: str, before: dict | None, after: dict | None, message: str
) -> Any:
    """An unsaved ObjectChange for ``instance`` in the current actor context (for bulk paths)."""
    return _change_rows([(instance, before, after)], action, message)[0]


def change_row(
    model: type[models.Model],
    pk: Any,
    label: str,
    action: str,
    before: dict | None,
    after: dict | None,
    *,
    message: str = "",
    related: tuple[ContentType | None, int | None] = (None, None),
) -> Any:
    """An unsaved ObjectChange of row ``pk`` of ``model`` in the current actor context, for callers
    that changed rows without loading them (``QuerySet.update``); write it with ``write_changes``."""
    return _new_change_rows([(model, pk, label, related, before, after)], action, message)[0]


def _change_rows(
    changes: Sequence[tuple[models.Model, dict | None, dict | None]], action: str, message: str = ""
) -> list[Any]:
    """Unsaved ObjectChanges of many ``(instance, before, after)`` in the current actor context."""
    return _new_change_rows(
        [(type(i), i.pk, str(i), _parent(i), before, after) for i, before, after in changes], action, message
    )


def _new_change_rows(
    rows: Sequence[tuple[type[models.Model], Any, str, tuple[Any, Any], dict | None, dict | None]],
    action: str,
    message: str,
) -> list[Any]:
    """The ObjectChanges of ``(model, pk, label, (related type, related id), before, after)`` rows
    (``_change_entries``, each an unsaved instance)."""
    from guanxi.core.models import ObjectChange

    # new_instance: ObjectChange(**values) without the constructor's per-field work
    return [
        new_instance(ObjectChange, dict(zip(ENTRY, e, strict=True)))
        for e in _change_entries(rows, action, message)
    ]


#: a change-log entry of bulk mode: the ``ObjectChange`` values by field name, in this order (the
#: related objects themselves, as ``ObjectChange(**values)`` takes them), without an instance
ENTRY = (
    "user",
    "user_name",
    "request_id",
    "source",
    "action",
    "changed_object_type",
    "changed_object_id",
    "object_repr",
    "related_object_type",
    "related_object_id",
    "prechange_data",
    "postchange_data",
    "message",
)
_BEFORE, _AFTER = ENTRY.index("prechange_data"), ENTRY.index("postchange_data")


def _change_entries(
    rows: Sequence[tuple[type[models.Model], Any, str, tuple[Any, Any], dict | None, dict | None]],
    action: str,
    message: str,
) -> list[tuple[Any, ...]]:
    """The change-log entries (``ENTRY`` tuples) of ``(model, pk, label, (related type, related
    id), before, after)`` rows: what every row shares — the actor context, the actor's username,
    each model's content type — looked up once per call (a bulk import logs one row per record)."""
    if not rows:
        return []
    ctx = require_context()
    actor = ctx.actor
    head = (actor, actor.get_username() if actor is not None else "", ctx.request_id, ctx.source, action)
    message = message[:300]
    types: dict[type[models.Model], ContentType] = {}
    out = []
    for model, pk, label, (related_ct, related_id), before, after in rows:
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        out.append((*head, types[model], pk, label[:200], related_ct, related_id, before, after, message))
    return out


def _entry_of(row: Any) -> tuple[Any, ...]:
    """An unsaved ObjectChange (``change_row``) as a bulk-mode entry."""
    return tuple(
        getattr(row, name) if name != "user" else (row.user if row.user_id is not None else None)
        for name in ENTRY
    )


def _log(
    changes: Sequence[tuple[models.Model, dict | None, dict | None]],
    action: str,
    message: str,
    instances: Sequence[models.Model],
    batch_size: int = 1000,
) -> int:
    """Log ``(instance, before, after)`` changes of a bulk logger: in bulk mode as entries (no
    ObjectChange instance is built; the flush writes them as tuples), else as rows now."""
    labelled = [(type(i), i.pk, str(i), _parent(i), before, after) for i, before, after in changes]
    buffer = current_buffer()
    if buffer is not None:
        entries = _change_entries(labelled, action, message)
        buffer.add_entries(entries, instances)
        return len(entries)
    rows = _new_change_rows(labelled, action, message)
    write_changes(rows, instances, batch_size=batch_size)
    return len(rows)


def log_bulk_create(instances: Sequence[models.Model], *, batch_size: int = 1000) -> int:
    """One "create" ObjectChange per row saved with ``bulk_create`` (which sends no signals).

    The rows need primary keys (every supported database returns them from ``bulk_create``).
    Returns the number of entries written.
    """
    return _log([(i, None, created_snapshot(i)) for i in instances], Action.CREATE, "", instances, batch_size)


def log_bulk_update(
    instances: Sequence[models.Model],
    before: dict[Any, dict[str, Any]],
    after: dict[str, Any],
    *,
    message: str = "",
) -> int:
    """One "update" ObjectChange per row changed with ``QuerySet.update()`` (which sends no signals).

    ``before`` maps each row's pk to its old values of the changed fields, ``after`` is the new
    values (the same for every row). Rows whose values did not change are skipped.
    """
    changes = []
    for instance in instances:
        old, new = diff(before[instance.pk], after)
        if new:
            changes.append((instance, old, new))
    return _log(changes, Action.UPDATE, message, instances)


def log_bulk_save(instances: Sequence[models.Model], *, message: str = "") -> int:
    """One "update" ObjectChange per loaded row saved with ``bulk_update`` or ``QuerySet.update``
    (which send no signals): the fields that differ from the row as loaded, before and after, like
    ``capture_save``, with ``message`` ("Merged into …"). The rows then count as loaded with their
    new values. Returns the number of entries written."""
    changes, changed = [], []
    for instance in instances:
        before = loaded_snapshot(instance)
        after = serialize_instance(instance)
        old, new = diff(before or {}, after) if before is not None else ({}, after)
        if new:
            old_values = old if before is not None else None
            changes.append((instance, old_values, new))
            changed.append(instance)
        instance._loaded_values = {  # type: ignore[attr-defined]
            f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
        }
    return _log(changes, Action.UPDATE, message, changed)


# -- bulk mode --------------------------------------------------------------------------------------
class ChangeBuffer:
    """What a bulk operation's writes owe the change log and the search index, written in chunks.

    Inside ``buffered()`` every change-log row and search-key refresh is kept here instead of
    being written per row, and flushed with ``bulk_create`` whenever ``chunk_size`` rows are
    waiting and when the block ends (inside its transaction, so data and history commit together).
    """

    def __init__(self, chunk_size: int) -> None:
        self.chunk_size = chunk_size
        self.changes: list[tuple[Any, ...]] = []  # change-log entries (``ENTRY`` tuples)
        self.changed: list[models.Model] = []  # the records of ``changes`` (event payloads)
        self.to_index: dict[tuple[type[models.Model], Any], tuple[models.Model, bool]] = {}
        self.flushed_changes = 0

    def add_changes(self, rows: list[Any], instances: Iterable[models.Model] = ()) -> None:
        """Unsaved ObjectChanges (``change_row``) to write at the flush."""
        self.add_entries([_entry_of(row) for row in rows], instances)

    def add_entries(self, entries: list[tuple[Any, ...]], instances: Iterable[models.Model] = ()) -> None:
        self.changes.extend(entries)
        self.changed.extend(instances)
        if len(self.changes) >= self.chunk_size:
            self.flush()

    def add_index(self, instance: models.Model, created: bool) -> None:
        key = (type(instance), instance.pk)
        previous = self.to_index.get(key)
        # a row created inside this block has no keys to delete, however often it is saved again
        self.to_index[key] = (instance, created or (previous is not None and previous[1]))
        if len(self.to_index) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        from guanxi.framework import search

        if self.changes:
            _write_entries(self.changes, self.changed)
            self.flushed_changes += len(self.changes)
            self.changes, self.changed = [], []
        if self.to_index:
            search.index_batch(list(self.to_index.values()))
            self.to_index = {}


def _write_entries(entries: list[tuple[Any, ...]], instances: list[models.Model]) -> None:
    """Write bulk mode's change-log entries and their events: the same rows as ObjectChange
    instances through ``insert_many`` and ``events.capture`` would store (same columns, same
    JSON text), built as tuples — an instance and its per-column reads cost more than the insert.
    One entry goes the single-row way (its event's payload is the serializer's, ``capture``)."""
    from guanxi.core.models import ObjectChange
    from guanxi.framework import events

    if len(entries) == 1:
        row = new_instance(ObjectChange, dict(zip(ENTRY, entries[0], strict=True)))
        with shared_dumps():
            insert_many(ObjectChange, [row])
            capture_events([row], instances)
        return
    now = timezone.now()
    field = ObjectChange._meta.get_field
    stamp = value_converter(field("time"))(now)  # type: ignore[arg-type]
    request_id = value_converter(field("request_id"))  # type: ignore[arg-type]
    before_text = json_text(field("prechange_data"))  # type: ignore[arg-type]
    after_text = json_text(field("postchange_data"))  # type: ignore[arg-type]
    rows = []
    texts = []  # the JSON of each entry's values, written again as its event's payload
    for (
        user,
        name,
        request,
        source,
        action,
        ct,
        pk,
        label,
        related_ct,
        related_id,
        before,
        after,
        message,
    ) in entries:
        before_json, after_json = before_text(before), after_text(after)
        rows.append(
            (
                stamp,
                None if user is None else user.pk,
                name,
                request_id(request),
                source,
                action,
                ct.pk,
                pk,
                label,
                None if related_ct is None else related_ct.pk,
                related_id,
                before_json,
                after_json,
                message,
            )
        )
        texts.append((before_json, after_json))
    insert_tuples(ObjectChange, _ENTRY_COLUMNS, rows)
    events.capture_entries(entries, texts, now)


_ENTRY_COLUMNS = (
    "time",
    *(
        f"{name}_id" if name in {"user", "changed_object_type", "related_object_type"} else name
        for name in ENTRY
    ),
)


_buffer: ContextVar[ChangeBuffer | None] = ContextVar("guanxi_change_buffer", default=None)


def current_buffer() -> ChangeBuffer | None:
    return _buffer.get()


@contextmanager
def buffered(chunk_size: int = 2000) -> Iterator[ChangeBuffer]:
    """Bulk mode: buffer change-log rows and search keys, flush them in chunks and at the end.

    Opens a transaction (the flush happens inside it). Nested use joins the outer buffer.

    >>> with buffered():
    ...     write.bulk_create_objects(Customer, rows, actor=user)
    """
    outer = _buffer.get()
    if outer is not None:
        yield outer
        return
    buffer = ChangeBuffer(chunk_size)
    with transaction.atomic():
        token = _buffer.set(buffer)
        try:
            yield buffer
            buffer.flush()
        finally:
            _buffer.reset(token)
