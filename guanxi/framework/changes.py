"""Change capture: every create, update and delete of a change-logged model becomes an ObjectChange.

Capture is framework machinery (like NetBox's), connected to Django's model signals in
``signals.py`` so that no write path can forget it: views, API, services, tasks, commands and
queryset deletes all pass through. Domain rules never live here.

Updates store only the fields that changed (before in ``prechange_data``, after in
``postchange_data``); creates store the full row after, deletes the full row before.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from guanxi.framework.context import require_context

if TYPE_CHECKING:
    from guanxi.framework.models import ChangeLoggedModel


class Action:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


def normalize(value: Any) -> Any:
    """A JSON-ready, comparable form of a field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, memoryview | bytes):
        return None
    return value


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    exclude = set(getattr(model, "changelog_exclude", ()))
    return [f for f in model._meta.concrete_fields if f.name not in exclude and f.attname not in exclude]


def serialize_instance(instance: models.Model) -> dict[str, Any]:
    return {f.name: normalize(getattr(instance, f.attname)) for f in tracked_fields(type(instance))}


def loaded_snapshot(instance: models.Model) -> dict[str, Any] | None:
    """The row as it was loaded from the database, in ``serialize_instance`` form."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        return None
    return {
        f.name: normalize(loaded[f.attname]) for f in tracked_fields(type(instance)) if f.attname in loaded
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
    row.save()
    return row


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed keys only: (old values, new values)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def capture_save(instance: ChangeLoggedModel, created: bool) -> None:
    after = serialize_instance(instance)
    # A state transition names itself on the entry of its save (guanxi.framework.statemachine).
    message = instance.__dict__.pop("_change_message", "")
    if created:
        record_change(instance, Action.CREATE, None, after, message)
    else:
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
    from guanxi.core.models import ObjectChange

    ctx = require_context()
    related_ct, related_id = _parent(instance)
    actor = ctx.actor
    return ObjectChange(
        user=actor,
        user_name=actor.get_username() if actor is not None else "",
        request_id=ctx.request_id,
        source=ctx.source,
        action=action,
        changed_object_type=ContentType.objects.get_for_model(type(instance)),
        changed_object_id=instance.pk,
        object_repr=str(instance)[:200],
        related_object_type=related_ct,
        related_object_id=related_id,
        prechange_data=before,
        postchange_data=after,
        message=message[:300],
    )


def log_bulk_create(instances: list[models.Model], *, batch_size: int = 1000) -> int:
    """One "create" ObjectChange per row saved with ``bulk_create`` (which sends no signals).

    The rows need primary keys (every supported database returns them from ``bulk_create``).
    Returns the number of entries written.
    """
    from guanxi.core.models import ObjectChange

    rows = [_change_row(i, Action.CREATE, None, serialize_instance(i), "") for i in instances]
    ObjectChange.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def log_bulk_update(
    instances: list[models.Model],
    before: dict[Any, dict[str, Any]],
    after: dict[str, Any],
    *,
    message: str = "",
) -> int:
    """One "update" ObjectChange per row changed with ``QuerySet.update()`` (which sends no signals).

    ``before`` maps each row's pk to its old values of the changed fields, ``after`` is the new
    values (the same for every row). Rows whose values did not change are skipped.
    """
    from guanxi.core.models import ObjectChange

    rows = []
    for instance in instances:
        old, new = diff(before[instance.pk], after)
        if new:
            rows.append(_change_row(instance, Action.UPDATE, old, new, message))
    ObjectChange.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
