"""Who may see and restore which recycle-bin entries, and who may purge.

An administrator (a superuser or a holder of the shipped 系统管理员 role, code ``admin``) sees and
restores every entry and alone may purge. Anyone else sees an entry of a type they may ``delete``
when the record was inside their data scope for ``delete`` *as it was when deleted* (its owner and
department are kept on the entry and the scope is read on them) — or when they deleted it
themselves. The condition is one ``Q`` on the entry table, like ``restrict()`` on a live table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform

from guanxi.framework.access import get_policy, kept_on
from guanxi.framework.entities import entity_types
from guanxi.recyclebin.models import RecycleBinEntry

NOTHING = Q(pk__in=[])


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_administrator(user: Any) -> bool:
    """A superuser, or a member of the shipped administrator role (kept for the request)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    kept = kept_on(user)
    cached = kept.get("_guanxi_bin_admin")
    if cached is None:
        cached = kept["_guanxi_bin_admin"] = user.roles.filter(code="admin").exists()
    return bool(cached)


def binned_models() -> list[type[models.Model]]:
    """The registered entity types whose deletes go to the bin."""
    from guanxi.recyclebin.services import binned

    return [entity.model for entity in entity_types() if binned(entity.model)]


def _on_entry(condition: Q, model: type[models.Model]) -> Q:
    """``condition`` (on ``model``'s owner/department columns) read on the entry's copies of them."""
    names = {
        getattr(model, "access_owner_field", None): "owner_id",
        getattr(model, "access_department_field", None): "department_id",
    }
    out = Q()
    out.connector, out.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            out.children.append(_on_entry(child, model))
        else:
            lookup, value = child  # type: ignore[misc]
            field, sep, rest = lookup.partition("__")
            if field == "pk":  # the empty condition Q(pk__in=[])
                out.children.append(child)
                continue
            out.children.append((names.get(field, "_not_a_column_") + sep + rest, value))
    return out


def restorable_entries(user: Any) -> QuerySet[RecycleBinEntry]:
    """The entries ``user`` may see and restore (see the module docstring)."""
    entries = RecycleBinEntry.objects.all()
    if is_administrator(user):
        return entries
    if not _active(user):
        return entries.none()
    policy = get_policy()
    condition = NOTHING
    for model in binned_models():
        if not policy.has_model_permission(user, model, "delete"):
            continue
        of_type = Q(content_type_id=ContentType.objects.get_for_model(model).pk)
        scope = policy.scope_condition(user, model, "delete")
        if scope is None:
            condition |= of_type
        else:
            condition |= of_type & (_on_entry(scope, model) | Q(deleted_by_id=user.pk))
    return entries.filter(condition)


def may_restore(user: Any, entry: RecycleBinEntry) -> bool:
    return restorable_entries(user).filter(pk=entry.pk).exists()


def label_entries(user: Any, entries: Sequence[RecycleBinEntry]) -> list[str]:
    """The label of each of ``entries`` (also set as its ``reader_label``): the deleted record's
    label as ``user`` may read it (``fieldaccess.stored_labels``), built from the entry's kept copy
    of the record when a rule of theirs masks or hides a part of the stored ``object_repr`` — one
    query for the page's
    copies (only the record's own fields, not the rows deleted with it)."""
    from guanxi.framework.fieldaccess import stored_labels

    def kept_fields(keys: list[tuple[int, Any]]) -> dict[tuple[int, Any], Any]:
        wanted = [e for e in entries if (e.content_type_id, e.object_id) in set(keys)]
        loaded = {
            e.pk: e.rows[0]["fields"] for e in wanted if "rows" not in e.get_deferred_fields() and e.rows
        }
        missing = [e.pk for e in wanted if e.pk not in loaded]
        if missing:
            # the root comes first in ``rows`` (``services``): its fields, read inside the database
            root = KeyTransform("fields", KeyTransform("0", "rows"))
            loaded.update(
                RecycleBinEntry.objects.filter(pk__in=missing).annotate(root=root).values_list("pk", "root")
            )
        return {(e.content_type_id, e.object_id): loaded[e.pk] for e in wanted if loaded.get(e.pk)}

    labels = stored_labels(
        user, [(e.content_type_id, e.object_id, e.object_repr) for e in entries], snapshots=kept_fields
    )
    for entry, text in zip(entries, labels, strict=True):
        entry.reader_label = text  # type: ignore[attr-defined]
    return labels
