"""Deleting into the bin, restoring from it, purging it.

**Delete** (``delete_rows``, the write path's registered deleter): Django's deletion ``Collector``
— the machinery ``Model.delete()`` uses — says exactly which rows cascade and which foreign keys
are set to NULL. For a business record (a ``PrimaryModel``) all of them are serialized
(``django.core.serializers``, custom fields and many-to-many values included) into one
``RecycleBinEntry`` per deleted record, then the collector deletes for real: the change log's
``delete`` entries, the events and the removal of search keys happen as for any delete (the
framework's signals). Other models (reference data, child rows) are deleted as before. Several
records deleted at once (a bulk delete) share one collector pass; each related row is filed under
the record it hangs from.

**Restore** (``restore_entry``): refused with a clear message when a row would collide with a row
that exists now (same id, a unique value taken meanwhile) or points at a record that no longer
exists; otherwise the rows are put back in dependency order in one transaction with their ids,
the NULLed foreign keys that still point at nothing are set back, the search keys are written, and
every row gets a change-log ``create`` entry with source ``restore`` (the change log's actions are
a fixed set: create, update, delete) and its ``created`` event, plus a typed
``<model>.restored`` event on the record.

**Purge** (``purge_entries``, ``purge_expired`` nightly): the entries go, and with them the stored
files of the attachments they held (kept until then, so a restored record gets its files back).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework.context import Source, actor_context, require_context
from guanxi.framework.models import PrimaryModel
from guanxi.recyclebin.models import RecycleBinEntry

Key = tuple[Any, Any]  # (concrete model, pk)


def binned(model: type[models.Model]) -> bool:
    """Does a delete of ``model`` rows go to the recycle bin? Every business record's does."""
    return issubclass(model, PrimaryModel)


def kept_days(model: type[models.Model]) -> int | None:
    """Days a deleted ``model`` row stays restorable (the delete confirmations say so)."""
    return settings.RECYCLE_BIN_DAYS if binned(model) else None


def _key(instance: models.Model) -> Key:
    return (instance._meta.concrete_model, instance.pk)


# -- delete ---------------------------------------------------------------------------------------
def delete_rows(instances: list[Any], actor: Any) -> None:
    """Delete ``instances`` (one model), keeping a bin entry per business record; the write path's
    deleter. Raises ``ProtectedError`` / ``RestrictedError`` before anything is written."""
    if not instances:
        return
    model = type(instances[0])
    if not binned(model):
        for instance in instances:
            instance.delete()
        return
    using = router.db_for_write(model)
    # no savepoint of its own: the write path's transaction (delete_objects) holds it
    with transaction.atomic(using=using, savepoint=False):
        collector = Collector(using=using, origin=instances[0] if len(instances) == 1 else None)
        collector.collect(instances)
        collector.sort()  # parents first: the order a restore inserts in
        entries = _entries(collector, instances, actor)
        RecycleBinEntry.objects.bulk_create(entries, batch_size=500)
        collector.delete()


def _entries(collector: Collector, roots: list[models.Model], actor: Any) -> list[RecycleBinEntry]:
    """One unsaved entry per root, from what ``collector`` will delete and unlink."""
    root_keys = [_key(root) for root in roots]
    collected: dict[Key, models.Model] = {}
    for instances in collector.data.values():
        for instance in instances:
            collected[_key(instance)] = instance
    single = root_keys[0] if len(root_keys) == 1 else None
    root_of = _attribute(collected, set(root_keys)) if single is None else {}

    # the rows each root takes along (an auto-created m2m row goes with its owner's "fields")
    rows: dict[Key, list[models.Model]] = defaultdict(list)
    for model, instances in collector.data.items():
        through_owner = _m2m_owner_field(model)
        for instance in instances:
            if through_owner is not None:
                owner_key = (
                    through_owner.related_model._meta.concrete_model,
                    getattr(instance, through_owner.attname),
                )
                if owner_key in collected:
                    continue
            key = _key(instance)
            rows[single or root_of.get(key, root_keys[0])].append(instance)

    # foreign keys set to NULL: (label, column, old value, [pks]) per root
    unlinked: dict[Key, list[list[Any]]] = defaultdict(list)
    unlinked_counts: dict[Key, Counter[str]] = defaultdict(Counter)
    for (field, _value), batches in collector.field_updates.items():
        related_model: Any = field.related_model
        target_model = related_model._meta.concrete_model
        pairs: list[tuple[Any, Any]] = []
        for batch in batches:  # querysets (not evaluated yet) or lists of rows
            batch = cast(Any, batch)
            if isinstance(batch, models.QuerySet) and batch._result_cache is None:
                pairs.extend(batch.values_list("pk", field.attname))
            else:
                pairs.extend((obj.pk, getattr(obj, field.attname)) for obj in batch)
        by_target: dict[tuple[Key, Any], list[Any]] = defaultdict(list)
        for pk, old in pairs:
            target = (target_model, old)
            owner = single or root_of.get(target, root_keys[0])
            by_target[(owner, old)].append(pk)
        label = field.model._meta.label_lower
        for (owner, old), pks in by_target.items():
            unlinked[owner].append([label, field.attname, old, sorted(pks)])
            unlinked_counts[owner][label] += len(pks)

    ctx = require_context()
    now = timezone.now()
    purge_after = now + dt.timedelta(days=settings.RECYCLE_BIN_DAYS)
    deleter = actor if getattr(actor, "pk", None) else ctx.actor
    entries = []
    for root, key in zip(roots, root_keys, strict=True):
        kept = rows[key]
        # the root first, then the rest in the collector's dependency order
        kept.sort(key=lambda obj, root_key=key: _key(obj) != root_key)  # type: ignore[misc]
        related: Counter[str] = Counter(
            obj._meta.label_lower for obj in kept if _key(obj) != key and not obj._meta.auto_created
        )
        related.update(unlinked_counts[key])
        files = [
            getattr(obj, "file").name  # noqa: B009 (an Attachment's stored file)
            for obj in kept
            if obj._meta.label_lower == "core.attachment" and getattr(obj, "file", None)
        ]
        model = type(root)
        entries.append(
            RecycleBinEntry(
                content_type=ContentType.objects.get_for_model(model),
                object_id=root.pk,
                object_repr=str(root)[:200],
                owner_id=_column(root, "access_owner_field"),
                department_id=_column(root, "access_department_field"),
                deleted_at=now,
                deleted_by=deleter,
                deleted_by_name=deleter.get_username() if deleter is not None else "",
                request_id=ctx.request_id,
                purge_after=purge_after,
                rows=serializers.serialize("python", kept),
                unlinked=unlinked[key],
                related=dict(related),
                related_count=sum(related.values()),
                files=files,
            )
        )
    return entries


def _column(instance: models.Model, declared: str) -> Any:
    name = getattr(type(instance), declared, None)
    return getattr(instance, name, None) if name and name != "pk" else None


def _m2m_owner_field(model: type[models.Model]) -> Any:
    """For an auto-created many-to-many table: the foreign key to the model holding the field."""
    if not model._meta.auto_created:
        return None
    owner = model._meta.auto_created
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is owner:
            return field
    return None


def _parents(instance: models.Model) -> Iterable[Key]:
    """The rows ``instance`` points at (foreign keys and generic foreign keys)."""
    for field in instance._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            value = getattr(instance, field.attname)
            related: Any = field.related_model
            if value is not None:
                yield (related._meta.concrete_model, value)
    for private in instance._meta.private_fields:
        if isinstance(private, GenericForeignKey):
            ct_field = instance._meta.get_field(private.ct_field)
            assert isinstance(ct_field, models.ForeignKey)
            ct_id = getattr(instance, ct_field.attname, None)
            object_id = getattr(instance, private.fk_field, None)
            if ct_id and object_id is not None:
                target = ContentType.objects.get_for_id(ct_id).model_class()
                if target is not None:
                    yield (target._meta.concrete_model, object_id)


def _attribute(collected: dict[Key, models.Model], roots: set[Key]) -> dict[Key, Key]:
    """Collected row → the deleted record (root) it hangs from, following references between the
    collected rows; a row reached from no root is filed under the first root by the caller."""
    parent: dict[Key, Key] = {}
    for key, instance in collected.items():
        if key in roots:
            continue
        for target in _parents(instance):
            if target in collected and target != key:
                parent[key] = target
                break
    out: dict[Key, Key] = {}
    for key in collected:
        seen = {key}
        current = key
        while current not in roots and current in parent and parent[current] not in seen:
            current = parent[current]
            seen.add(current)
        if current in roots:
            out[key] = current
    return {**out, **{root: root for root in roots}}


# -- restore --------------------------------------------------------------------------------------
class RestoreRefused(ValidationError):
    """The entry cannot be restored now; the message says why (HTTP 409)."""


@dataclass
class Restored:
    """What a restore brought back: the record, and how many related rows had to stay out because
    what they referred to is gone (a tag deleted meanwhile)."""

    record: models.Model
    left_out: int = 0


def restore_entry(entry: RecycleBinEntry, *, actor: Any) -> Restored:
    """Put ``entry``'s rows back and remove the entry.

    ``actor`` must be allowed to restore it (``access.may_restore``), else ``PermissionDenied``;
    ``RestoreRefused`` when a row would collide or the record's own parent is gone. Nothing
    changes then. A related row whose other reference is gone (the tag of a tagging) stays out
    and is counted in ``Restored.left_out``."""
    from guanxi.framework import changes, search
    from guanxi.framework.events import emit
    from guanxi.recyclebin.access import label_entries, may_restore

    with transaction.atomic():
        locked = RecycleBinEntry.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise RestoreRefused(_("This record has already been restored or purged."))
        entry = locked
        if not may_restore(actor, entry):
            raise PermissionDenied(_("You may not restore this record."))
        name = label_entries(actor, [entry])[0]  # a refusal names the record as the actor may read it
        objects = list(serializers.deserialize("python", entry.rows, ignorenonexistent=True))
        kept = _restorable(entry, [o.object for o in objects], name)
        objects = [o for o in objects if _key(o.object) in kept]
        ctx = require_context()
        with actor_context(actor, source=Source.RESTORE, request_id=ctx.request_id):
            for deserialized in objects:
                deserialized.save(force_insert=True)
            _relink(entry)
            restored = [o.object for o in objects]
            logged = [obj for obj in restored if hasattr(obj, "changelog_snapshot")]
            rows = [
                changes.change_row(
                    type(obj),
                    obj.pk,
                    str(obj),
                    changes.Action.CREATE,
                    None,
                    changes.created_snapshot(obj),
                    related=changes._parent(obj),
                )
                for obj in logged
            ]
            changes.write_changes(rows, logged)
            search.index_batch([(obj, True) for obj in restored])
            root = restored[0]
            emit(f"{root._meta.model_name}.restored", root, entry=entry.pk)
        entry.delete()
    return Restored(root, len(entry.rows) - len(restored))


def _restorable(entry: RecycleBinEntry, rows: list[models.Model], name: str) -> set[Key]:
    """The rows that can come back (keys); ``RestoreRefused`` when a row's id or unique value is
    taken or the record itself refers to a record that is gone. A related row referring to a
    gone record outside the entry stays out, and so do the rows that hang from it."""
    root = _key(rows[0])
    by_model: dict[Any, list[Any]] = defaultdict(list)
    for obj in rows:
        by_model[obj._meta.concrete_model].append(obj.pk)
    for model, pks in by_model.items():
        if model._base_manager.filter(pk__in=pks).exists():
            raise RestoreRefused(
                _("“%(name)s” cannot be restored: it or one of its related records exists again.")
                % {"name": name}
            )
    keys = {_key(obj) for obj in rows}
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for obj in rows:
        for target in _parents(obj):
            if target not in keys:
                wanted[target[0]].add(target[1])
    gone: set[Key] = set()
    for model, targets in wanted.items():
        found = set(model._base_manager.filter(pk__in=targets).values_list("pk", flat=True))
        gone.update((model, pk) for pk in targets - found)
    for target in _parents(rows[0]):
        if target in gone:
            raise RestoreRefused(
                _("“%(name)s” cannot be restored: the %(type)s it refers to (no. %(id)s) no longer exists.")
                % {"name": name, "type": target[0]._meta.verbose_name, "id": target[1]}
            )
    kept = set(keys)
    changed = True
    while changed:  # leave out what refers to a gone record, then what refers to what was left out
        changed = False
        for obj in rows:
            key = _key(obj)
            if key == root or key not in kept:
                continue
            if any(t in gone or (t in keys and t not in kept) for t in _parents(obj)):
                kept.discard(key)
                changed = True
    for obj in rows:
        if _key(obj) not in kept:
            continue
        try:
            obj.validate_unique(exclude={obj._meta.pk.name})
            obj.validate_constraints()
        except ValidationError as clash:
            raise RestoreRefused(
                _("“%(name)s” cannot be restored: %(reason)s")
                % {"name": name, "reason": " ".join(clash.messages)}
            ) from clash
    return kept


def _relink(entry: RecycleBinEntry) -> None:
    """Set back the foreign keys the delete set to NULL, where they still point at nothing."""
    for label, column, old, pks in entry.unlinked:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._base_manager.filter(pk__in=pks, **{column: None}).update(**{column: old})


# -- purge ----------------------------------------------------------------------------------------
def purge_entries(entries: models.QuerySet[RecycleBinEntry]) -> int:
    """Remove ``entries`` for good, with their attachments' stored files (after the commit)."""
    with transaction.atomic():
        ids = list(entries.values_list("pk", flat=True))
        files = [
            name
            for names in RecycleBinEntry.objects.filter(pk__in=ids).values_list("files", flat=True)
            for name in names or []
        ]
        count, _by_model = RecycleBinEntry.objects.filter(pk__in=ids).delete()
        if files:
            transaction.on_commit(lambda: _delete_files(files))
    return count


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def purge_entry(entry: RecycleBinEntry, *, actor: Any) -> None:
    """Purge one entry now (administrators only)."""
    from guanxi.recyclebin.access import is_administrator

    if not is_administrator(actor):
        raise PermissionDenied(_("Only administrators may purge the recycle bin."))
    purge_entries(RecycleBinEntry.objects.filter(pk=entry.pk))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Purge every entry past its ``purge_after`` (the nightly schedule)."""
    return purge_entries(RecycleBinEntry.objects.filter(purge_after__lte=now or timezone.now()))
