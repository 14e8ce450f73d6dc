"""Records imported with their lines (an order and its order lines): one file, one row per line.

An entity whose declaration has ``lines`` (``declarations.LineSpec``) is validated and committed
here instead of row by row (``engine.validate`` and ``engine.commit`` hand over):

* **validate**: the rows are grouped by the record's key (订单编号); a group is one record. The
  header fields come from the group's first row (a later row that names another customer or
  date is an error rather than a silent choice); the record is checked by the model's rules and
  matched on its key like any import (mode, duplicate policy, the user's ``change`` scope); its
  lines go through the entity's own service (``LineSpec.build``: an order's lines are checked by
  ``contracts.services.build_order_line`` and its total computed from them — never read from
  the file). One bad row fails its whole record: every row of the group is an error, and each
  says which rows are wrong, so the error file holds the whole order.
* **commit**: whole groups a chunk, each chunk one transaction, through the write path's bulk
  mode — new records with ``bulk_create_objects``, updated ones with ``bulk_update_objects``
  after their old lines are deleted (``delete_objects``), then every line with
  ``bulk_create_objects``. The lines are built again by the service under the lock, so the
  total is the one of the lines written. A record is written with all its lines or not at all.
* **undo** (``LinesUndo``, from ``engine.undo``): an updated record gets its old lines back (read
  from the change log's ``delete`` entries of the import) and loses the import's, unless its
  lines were written by anyone else since.

The group's first row carries the record (``object_id``, the header values and the lines); the
other rows point at it, get the same status and the same ``object_id``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework.context import Source, actor_context
from guanxi.framework.customfields import definitions_pinned
from guanxi.imports import values as cells
from guanxi.imports.models import ImportBatch, ImportRow

R = ImportRow.Status
LINES_KEY = "__lines__"  # the head row's values: the lines, as JSON-ready dicts
HEAD_KEY = "__line_of__"  # a member row's values: the number of its group's head row
PREFIX = "line_"


def _groups(rows: list[ImportRow], key_index: int) -> tuple[list[list[ImportRow]], list[ImportRow]]:
    """The rows grouped by the key's cell, groups in the order of their first row; the rows
    without a key apart."""
    groups: dict[str, list[ImportRow]] = {}
    keyless = []
    for row in rows:
        cell = row.raw[key_index] if key_index < len(row.raw) else None
        key = cells.text(cell)
        if not key:
            keyless.append(row)
        else:
            groups.setdefault(key, []).append(row)
    return list(groups.values()), keyless


def _chunks(groups: list[list[ImportRow]], size: int) -> Iterator[list[list[ImportRow]]]:
    """Whole groups, about ``size`` rows at a time (a group never straddles two chunks)."""
    chunk: list[list[ImportRow]] = []
    count = 0
    for group in groups:
        chunk.append(group)
        count += len(group)
        if count >= size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def _split(parsed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row's values: the record's fields and the line's (``line_`` prefix dropped)."""
    head = {k: v for k, v in parsed.items() if not k.startswith(PREFIX)}
    line = {k.removeprefix(PREFIX): v for k, v in parsed.items() if k.startswith(PREFIX)}
    return head, line


def _related(spec: Any, lines: list[dict[str, Any]]) -> dict[str, dict[int, Any]]:
    """The records the lines' foreign keys name (``{"product": {pk: product}}``): one query a
    related model for a whole chunk (the service reads a product's price and currency)."""
    out = {}
    for line_field in spec.fields:
        if line_field.kind == "fk":
            name = line_field.name.removeprefix(PREFIX)
            model = apps.get_model(line_field.related)
            out[name] = model._default_manager.in_bulk({line[name] for line in lines if line.get(name)})
    return out


def _instances(lines: list[dict[str, Any]], related: dict[str, dict[int, Any]]) -> list[dict[str, Any]]:
    """The lines with their foreign keys as the records ``_related`` loaded."""
    out = [dict(line) for line in lines]
    for name, found in related.items():
        for line in out:
            if line.get(name):
                line[name] = found.get(line[name])
    return out


def _line_errors(
    refused: ValidationError, group: list[ImportRow], titles: dict[str, str]
) -> dict[int, list[list[str]]]:
    """The service's ``{"<n>.<field>": messages}`` as messages on the group's rows (n from 1)."""
    out: dict[int, list[list[str]]] = {}
    details = refused.message_dict if hasattr(refused, "error_dict") else {"": refused.messages}
    for key, messages in details.items():
        position, _dot, name = key.partition(".")
        index = int(position) - 1 if position.isdigit() and int(position) <= len(group) else 0
        title = titles.get(name, "") if _dot else ""
        out.setdefault(group[index].number, []).extend([title, str(m)] for m in messages)
    return out


def _fail(group: list[ImportRow], errors: dict[int, list[list[str]]], key: str) -> None:
    """Every row of the group is an error: its own messages, and which rows failed the record."""
    bad = sorted(errors)
    summary = _("%(key)s is not imported: rows %(rows)s have errors.") % {
        "key": key,
        "rows": ", ".join(str(n) for n in bad),
    }
    for row in group:
        row.status, row.object_id, row.values = R.ERROR, None, None
        row.messages = [*errors.get(row.number, []), ["", summary]]


def validate(validator: Any, *, progress: Any = None) -> ImportBatch:
    """Check the batch's rows, a group (one record) at a time (see the module docstring)."""
    from guanxi.framework.write import OWNER_REFUSED_MESSAGE
    from guanxi.imports.engine import (
        _check_cancel,
        _dump,
        finish_validation,
        load_rows,
        save_rows,
        translation_of,
    )

    started = time.monotonic()
    batch, spec = validator.batch, validator.spec.lines
    key_field = validator.fields[spec.group_key]
    key_index = next((i for i, n in validator.mapping.items() if n == spec.group_key), None)
    if key_index is None:
        raise ValidationError(
            _("Match a column to the %(field)s: the rows that share it make one record.")
            % {"field": key_field.noun}
        )
    validator.key = spec.group_key  # a record with its lines is always found by its key
    noun = key_field.noun  # "number": what the rows of one record share
    titles = {
        validator.fields[n].name.removeprefix(PREFIX): batch.header[i]
        for i, n in validator.mapping.items()
        if i < len(batch.header)
    }
    head_fields = [(i, n) for i, n in validator.mapping.items() if not n.startswith(PREFIX)]
    with actor_context(batch.user, source=Source.TASK, request_id=batch.request_id), translation_of(batch):
        rows = load_rows(batch.rows.exclude(status__in=[R.CREATED, R.UPDATED, R.UNDONE]).order_by("number"))
        groups, keyless = _groups(rows, key_index)
        for row in keyless:
            row.status, row.object_id, row.values = R.ERROR, None, None
            row.messages = [[batch.header[key_index], _("Write the %(field)s.") % {"field": key_field.noun}]]
        save_rows(keyless)
        done = len(keyless)
        for chunk in _chunks(groups, 2000):
            with definitions_pinned():
                _validate_chunk(
                    validator, chunk, spec, noun, titles, head_fields, OWNER_REFUSED_MESSAGE, _dump
                )
            flat = [row for group in chunk for row in group]
            save_rows(flat)
            done += len(flat)
            if progress:
                progress("validate", done, batch.total)
            _check_cancel(batch)
    return finish_validation(batch, started)


def _validate_chunk(
    validator: Any,
    chunk: list[list[ImportRow]],
    spec: Any,
    noun: str,
    titles: dict[str, str],
    head_fields: list[tuple[int, str]],
    owner_refused: Any,
    dump: Any,
) -> None:
    related = validator.load_related(row for group in chunk for row in group)

    loaded: dict[str, dict[int, Any]] = {}  # the lines' related records, one query a model
    for line_field in spec.fields:
        if line_field.kind == "fk":
            pks = {pk for found in related.get(line_field.name, {}).values() for pk in found}
            model = apps.get_model(line_field.related)
            loaded[line_field.name.removeprefix(PREFIX)] = model._default_manager.in_bulk(pks)
    # (head row, header values, record, key, group, lines)
    staged: list[tuple[ImportRow, dict[str, Any], Any, str, list[ImportRow], list[dict[str, Any]]]] = []
    for group in chunk:
        errors: dict[int, list[list[str]]] = {}
        head_values: dict[str, Any] = {}
        lines = []
        for row in group:
            # a second check (the import after a dry run) starts over
            row.status, row.messages, row.object_id, row.values = R.PENDING, [], None, None
            parsed, row_errors = validator.parse(row.raw, related)
            header, line = _split(parsed)
            if row is group[0]:
                head_values = header
            else:
                for index, name in head_fields:
                    attname = validator.fields[name].attname
                    if attname in header and header[attname] != head_values.get(attname, header[attname]):
                        row_errors.append(
                            [
                                batch_title(validator, index),
                                _("Differs from row %(row)s, the first row with this %(field)s.")
                                % {"row": group[0].number, "field": noun},
                            ]
                        )
            lines.append(line)
            if row_errors:
                errors[row.number] = row_errors
        key = cells.text(group[0].raw[_key_index(validator, spec)])
        obj = validator.instance(head_values)
        if not errors.get(group[0].number):
            head_errors = validator.clean(obj)
            owner_id = head_values.get("owner_id")
            if (
                not head_errors
                and owner_id is not None
                and owner_id not in (validator.allowed_owners or set())
            ):
                owner_cell = group[0].raw[validator._index_of("owner")]
                head_errors.append(
                    [validator.fields["owner"].label, str(owner_refused % {"user": cells.text(owner_cell)})]
                )
            if head_errors:
                errors[group[0].number] = head_errors
        if errors and not errors.get(group[0].number):
            # the record is sound but some lines are not: check the others too, so the error
            # file names every bad row at once
            clean = [(row, line) for row, line in zip(group, lines, strict=True) if row.number not in errors]
            try:
                spec.build(obj, _instances([line for _row, line in clean], loaded), validator.user)
            except ValidationError as refused:
                for number, messages in _line_errors(refused, [r for r, _l in clean], titles).items():
                    errors.setdefault(number, []).extend(messages)
        if errors:
            _fail(group, errors, key)
            continue
        staged.append((group[0], head_values, obj, validator.key_of(obj, head_values), group, lines))

    targets = validator._match([(row, parsed, obj, key) for row, parsed, obj, key, _g, _l in staged])
    for head, head_values, obj, key, group, lines in staged:
        if head.status in (R.ERROR, R.SKIPPED, R.REVIEW):
            for row in group[1:]:
                row.status, row.object_id, row.messages = head.status, head.object_id, head.messages
            continue
        target = targets.get(head.number)
        if target is not None:
            why = spec.editable(target)
            if why:
                _fail(group, {head.number: [["", why]]}, key)
                continue
            obj = validator.instance(head_values, target)
            head_errors = validator.clean(obj)
            if head_errors:
                _fail(group, {head.number: head_errors}, key)
                continue
        try:
            spec.build(obj, _instances(lines, loaded), validator.user)
        except ValidationError as refused:
            _fail(group, _line_errors(refused, group, titles), key)
            continue
        head.status = R.VALID
        head.object_id = target.pk if target is not None else None
        head.values = {**dump(obj, head_values), LINES_KEY: [_jsonable(line) for line in lines]}
        for row in group[1:]:
            row.status, row.object_id, row.values = R.VALID, head.object_id, {HEAD_KEY: head.number}


def batch_title(validator: Any, index: int) -> str:
    header = validator.batch.header
    return str(header[index]) if index < len(header) else ""


def _key_index(validator: Any, spec: Any) -> int:
    return next(i for i, n in validator.mapping.items() if n == spec.group_key)


def _jsonable(line: dict[str, Any]) -> dict[str, Any]:
    from guanxi.framework.changes import normalize

    return {k: normalize(v) for k, v in line.items()}


# -- commit ----------------------------------------------------------------------------------------
def commit(batch: ImportBatch, *, progress: Any = None, started: float) -> ImportBatch:
    """Write the valid groups, whole groups a transaction (see the module docstring)."""
    from guanxi.framework.querysets import model_queryset
    from guanxi.framework.write import bulk_create_objects, bulk_update_objects, delete_objects
    from guanxi.imports.engine import (
        Validator,
        _count,
        _still_new,
        load_rows,
        save_rows,
        translation_of,
    )

    model = apps.get_model(batch.entity)
    validator = Validator(batch)
    spec = validator.spec.lines
    assert spec is not None  # engine.commit hands over only then
    validator.key = spec.group_key
    line_model = apps.get_model(spec.model)
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    content_type = ContentType.objects.get_for_model(model)

    def one_chunk(groups: list[list[ImportRow]]) -> None:
        with transaction.atomic():
            ContentType.objects.select_for_update().filter(pk=content_type.pk).first()
            targets = (
                model_queryset(model)
                .select_for_update()
                .in_bulk([g[0].object_id for g in groups if g[0].object_id])
            )
            creates: list[tuple[ImportRow, models.Model]] = []
            updates: list[tuple[ImportRow, models.Model]] = []
            members = {g[0].number: g for g in groups}
            line_values: dict[int, list[dict[str, Any]]] = {}
            for group in groups:
                head = group[0]
                stored = dict(head.values or {})
                line_values[head.number] = stored.pop(LINES_KEY, [])
                values = {a: fields[a].to_python(v) if a in fields else v for a, v in stored.items()}
                if head.object_id:
                    target = targets.get(head.object_id)
                    why = _("The record was deleted meanwhile.") if target is None else spec.editable(target)
                    if why:
                        _fail(group, {head.number: [["", why]]}, str(head.object_id))
                        continue
                    updates.append((head, validator.instance(values, target)))
                else:
                    creates.append((head, validator.instance(values)))
            creates = _still_new(validator, creates)
            loaded = _related(spec, [line for lines in line_values.values() for line in lines])
            built: dict[int, list[Any]] = {}
            for head, obj in [*creates, *updates]:
                try:
                    built[head.number] = spec.build(
                        obj, _instances(line_values[head.number], loaded), batch.user
                    )
                except ValidationError as refused:  # a product changed since the check
                    _fail(members[head.number], _line_errors(refused, members[head.number], {}), "")
            creates = [(h, o) for h, o in creates if h.number in built]
            updates = [(h, o) for h, o in updates if h.number in built]
            if creates:
                bulk_create_objects(model, [obj for _h, obj in creates], actor=batch.user)
            if updates:
                old = list(
                    line_model._default_manager.filter(
                        **{f"{spec.parent_field}__in": [obj.pk for _h, obj in updates]}
                    )
                )
                delete_objects(old, actor=batch.user)
                bulk_update_objects(model, [obj for _h, obj in updates], actor=batch.user)
            new_lines = []
            for status, pairs in ((R.CREATED, creates), (R.UPDATED, updates)):
                for head, obj in pairs:
                    for line in built[head.number]:
                        setattr(line, spec.parent_field, obj)  # the record has its key now
                        new_lines.append(line)
                    for row in members[head.number]:
                        row.status, row.object_id = status, obj.pk
                        row.written_at = getattr(obj, "updated_at", None)
            bulk_create_objects(line_model, new_lines, actor=batch.user, check_visible=False)
            for group in groups:
                head = group[0]
                if head.status == R.SKIPPED:
                    for row in group[1:]:
                        row.status, row.messages = head.status, head.messages
            save_rows([row for group in groups for row in group])

    with actor_context(batch.user, source=Source.TASK, request_id=batch.request_id), translation_of(batch):
        rows = load_rows(batch.rows.filter(status=R.VALID).order_by("number"))
        heads = {row.number: [row] for row in rows if LINES_KEY in (row.values or {})}
        for row in rows:
            head_number = (row.values or {}).get(HEAD_KEY)
            if head_number in heads:
                heads[head_number].append(row)
        done = 0
        total = len(rows)
        scope = transaction.atomic() if batch.all_or_nothing else contextlib.nullcontext()
        with scope:
            for chunk in _chunks(list(heads.values()), 2000):
                one_chunk(chunk)
                done += sum(len(g) for g in chunk)
                if progress:
                    progress("commit", done, total)
    _count(batch)
    # a record is counted once, not once a line
    batch.created = batch.rows.filter(status=R.CREATED).values("object_id").distinct().count()
    batch.updated = batch.rows.filter(status=R.UPDATED).values("object_id").distinct().count()
    batch.status = ImportBatch.Status.COMPLETED
    batch.finished_at = timezone.now()
    batch.timings = {**batch.timings, "commit": round(time.monotonic() - started, 3)}
    batch.save()
    return batch


# -- undo ------------------------------------------------------------------------------------------
_STAMPS = frozenset({"created_at", "created_by", "updated_at", "updated_by"})  # not a line's own values
_UPDATE_STAMPS = frozenset({"updated_at", "updated_by"})  # the undo's: it writes the lines again


class LinesUndo:
    """Undoing a chunk of records imported with their lines (``engine.undo`` hands over to it).

    The import replaced an updated record's lines: it deleted the old ones and created new ones,
    through the write path, so the change log holds both under the batch's request id — a
    ``delete`` entry with the full old line, a ``create`` entry a new line — filed under the
    record (the line model's ``changelog_parent`` is the record). Undo reads them back from there:

    * ``refusal(record)``: why the record's lines may not be undone, or "": something else wrote
      its lines since the import (a change-log entry of another request on one of its lines,
      after the import's — a line edited, added or deleted), its lines may no longer change
      (``LineSpec.editable``), or a record a former line named (its product) is gone;
    * ``restore(records, actor)``: for the records being reverted, the import's lines are deleted
      and the old ones created again as they were (same key, position, product, quantity,
      price …, and who created them when: ``created_by`` — unless that user is gone — and
      ``created_at``), in the caller's transaction.

    A record the import created keeps the check; its lines go with it (cascade, recycle bin).
    """

    def __init__(self, batch: ImportBatch, spec: Any, records: dict[int, models.Model]) -> None:
        from guanxi.core.models import ObjectChange

        self.spec = spec
        self.line_model = apps.get_model(spec.model)
        parent = self.line_model._meta.get_field(spec.parent_field)
        assert getattr(self.line_model, "changelog_parent", None) == spec.parent_field, (
            "undo finds the lines' history under their record"
        )
        self.parent_attname = parent.attname
        line_type = ContentType.objects.get_for_model(self.line_model)
        ids = list(records)
        history = ObjectChange.objects.filter(
            changed_object_type=line_type,
            related_object_type=ContentType.objects.get_for_model(parent.related_model),
            related_object_id__in=ids,
        )
        self.imported: dict[int, int] = {}  # record pk → the last change-log entry the import wrote
        self.former: dict[int, list[dict[str, Any]]] = {}  # record pk → its old lines, as deleted
        key = self.line_model._meta.pk.name  # type: ignore[union-attr]
        for pk, action, record_id, line_id, before in history.filter(request_id=batch.request_id).values_list(
            "pk", "action", "related_object_id", "changed_object_id", "prechange_data"
        ):
            assert record_id is not None  # filtered on it
            self.imported[record_id] = max(pk, self.imported.get(record_id, 0))
            if action == ObjectChange.ActionChoices.DELETE:  # the line's own key: it is put back under it
                self.former.setdefault(record_id, []).append({**(before or {}), key: line_id})
        self.touched: set[int] = set()
        if self.imported:
            for record_id, pk in (
                history.filter(pk__gt=min(self.imported.values()))
                .exclude(request_id=batch.request_id)
                .values_list("related_object_id", "pk")
            ):
                if record_id is not None and pk > self.imported.get(record_id, pk):
                    self.touched.add(record_id)
        self.related: dict[str, dict[Any, models.Model]] = {}  # field → {pk: record}, loaded once
        self.missing = self._missing_references()

    def _missing_references(self) -> dict[int, str]:
        """Record pk → the name of a field whose record a former line names but that is gone."""
        wanted: dict[str, set[Any]] = {}
        links = [
            f
            for f in self.line_model._meta.concrete_fields
            if f.is_relation and f.name != self.spec.parent_field and f.name not in _STAMPS
        ]
        self.links = [f.name for f in links]
        for lines in self.former.values():
            for line in lines:
                for field in links:
                    if line.get(field.name) is not None:
                        wanted.setdefault(field.name, set()).add(line[field.name])
        gone: dict[str, set[Any]] = {}
        for field in links:
            if wanted.get(field.name):
                related = field.related_model._base_manager  # type: ignore[union-attr]
                # the records themselves: a line's label names its product (the change log)
                self.related[field.name] = related.in_bulk(wanted[field.name])
                gone[field.name] = wanted[field.name] - set(self.related[field.name])
        out = {}
        for record_id, lines in self.former.items():
            for line in lines:
                name = next((n for n, pks in gone.items() if line.get(n) in pks), None)
                if name is not None:
                    out[record_id] = str(self.line_model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        return out

    def refusal(self, record: models.Model) -> str:
        """Why ``record``'s lines may not be undone, or ""."""
        if record.pk in self.touched:
            return _("Not undone: its lines were changed after the import.")
        if record.pk in self.former:
            why = self.spec.editable(record)
            if why:
                return _("Not undone: %(reason)s") % {"reason": why}
            if record.pk in self.missing:
                return _("Not undone: a %(field)s its former lines named was deleted after the import.") % {
                    "field": self.missing[record.pk]
                }
        return ""

    def restore(self, records: list[models.Model], actor: Any) -> None:
        """Put back the old lines of the reverted ``records`` (checked by ``refusal``): the
        import's lines deleted, the old ones created again, through the write path."""
        from guanxi.framework.write import bulk_create_objects, delete_objects

        by_pk = {record.pk: record for record in records}
        current = list(
            self.line_model._default_manager.select_for_update(of=("self",))
            .select_related(*self.links)
            .filter(**{f"{self.parent_attname}__in": list(by_pk)})
        )
        for line in current:
            setattr(line, self.spec.parent_field, by_pk[getattr(line, self.parent_attname)])
        delete_objects(current, actor=actor)
        meta = self.line_model._meta
        creators = self._creators()
        restored = []
        for record_id, lines in self.former.items():
            if record_id not in by_pk:
                continue
            for values in sorted(lines, key=lambda v: (v.get("position") or 0, v.get(meta.pk.name) or 0)):  # type: ignore[union-attr]
                line = self.line_model()
                for name, value in values.items():
                    if name in _UPDATE_STAMPS:
                        continue  # the write path stamps the row with the undo
                    if name == "created_by":  # a user deleted since: unknown, as SET_NULL leaves it
                        value = value if value in creators else None
                    field = meta.get_field(name)
                    setattr(line, field.attname, field.to_python(value))  # type: ignore[union-attr]
                    found = self.related.get(name, {}).get(getattr(line, field.attname))  # type: ignore[union-attr]
                    if found is not None:
                        setattr(line, name, found)  # loaded once: no query a line for its label
                setattr(line, self.spec.parent_field, by_pk[record_id])
                restored.append(line)
        # under their old keys and stamps (the change log's ``delete`` entries hold them): a
        # line's history reads on, whatever names the line still finds it, and the line still
        # says who added it when (the undo is its ``updated_*``)
        bulk_create_objects(
            self.line_model, restored, actor=actor, check_visible=False, keep_keys=True, keep_stamps=True
        )

    def _creators(self) -> set[Any]:
        """The users the former lines name as ``created_by`` that still exist (one query)."""
        wanted = {line.get("created_by") for lines in self.former.values() for line in lines} - {None}
        if not wanted:
            return set()
        users = self.line_model._meta.get_field("created_by").related_model._base_manager  # type: ignore[union-attr]
        return set(users.filter(pk__in=wanted).values_list("pk", flat=True))
