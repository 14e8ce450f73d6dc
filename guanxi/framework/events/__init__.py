"""Durable events (the outbox): every change and every typed domain event, written with the data.

Writing (this module):

* ``capture(rows, instances)`` — called by change capture (``guanxi.framework.changes``) with
  the ``ObjectChange`` rows it just wrote: one ``core.Event`` per row (``created`` / ``updated``
  / ``deleted``), in the same transaction as the data and the change log.
* ``emit(kind, instance, **data)`` — a typed event (``lead.disqualified``,
  ``customer.returned_to_pool``) from a state transition or a service.
* ``build_event(...)`` — the unsaved row both use; a buffered bulk writer may collect these and
  ``bulk_create`` them itself.

Payloads: a single-row write stores the entity's API serializer output *without* field rules
(they are applied for whoever reads or receives the event, see ``payloads.for_reader``); a model
with no API serializer stores the change-log snapshot of the row. Bulk paths (``log_bulk_create``
/ ``log_bulk_update``) store the change-log values they already hold — serializing thousands of
rows would cost a query or more per row. Deletes store the row's values before the delete.

Delivery (``guanxi.framework.events.dispatch``): the worker claims pending events with a
conditional UPDATE and hands them to subscribers registered with ``@subscribe``; with the inline
(``immediate``) task backend — tests, a laptop without a worker — pending events are dispatched
right after the writing transaction commits instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from guanxi.framework.context import require_context
from guanxi.framework.events.payloads import record_payload
from guanxi.framework.fastinsert import new_instance

logger = logging.getLogger(__name__)

CREATED, UPDATED, DELETED = "created", "updated", "deleted"
#: ObjectChange.action → event kind
KIND_BY_ACTION = {"create": CREATED, "update": UPDATED, "delete": DELETED}

__all__ = ["CREATED", "DELETED", "UPDATED", "build_event", "capture", "emit", "entity_label", "write"]


def entity_label(model: type[models.Model]) -> str:
    """``app_label.model_name``: how events, subscribers and the API name an entity type."""
    return f"{model._meta.app_label}.{model._meta.model_name}"


def build_event(
    target: models.Model | tuple[type[models.Model], Any],
    kind: str,
    *,
    actor: Any = None,
    changed: Iterable[str] = (),
    payload: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    object_repr: str | None = None,
    occurred_at: Any = None,
) -> Any:
    """An unsaved ``core.Event`` for ``target`` (an instance, or ``(model, pk)``) in the current
    actor context. ``actor`` defaults to the context's actor; ``payload`` to the record's
    serializer output (an instance is needed for that)."""
    if isinstance(target, tuple):
        model, pk = target
        instance = None
    else:
        model, pk, instance = type(target), target.pk, target
    if payload is None:
        payload = record_payload(instance) if instance is not None else {}
    if object_repr is None:
        object_repr = str(instance) if instance is not None else ""
    return _new_events([(model, pk, kind, actor, changed, payload, data, object_repr, occurred_at)])[0]


def _new_events(items: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Unsaved events of ``(model, pk, kind, actor, changed, payload, data, object_repr,
    occurred_at)`` in the current actor context: what they share — the context, each model's
    content type, each actor's username — looked up once per call (a bulk import builds one event
    per record). An actor of None is the context's."""
    from guanxi.core.models import Event

    ctx = require_context()
    types: dict[Any, Any] = {}
    names: dict[Any, str] = {}  # actor pk → username
    # one moment for the call's events (due at once): their timestamps are prepared for the
    # database once (``fastinsert``'s memo) instead of once a row
    now = timezone.now()
    events = []
    for model, pk, kind, actor, changed, payload, data, object_repr, occurred_at in items:
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        actor = actor if actor is not None else ctx.actor
        if actor is None:
            actor_name = ""
        elif actor.pk in names:
            actor_name = names[actor.pk]
        else:
            actor_name = names[actor.pk] = actor.get_username()
        # new_instance: Event(**values) without the constructor's per-field work
        events.append(
            new_instance(
                Event,
                {
                    "occurred_at": occurred_at or now,
                    "next_attempt_at": now,
                    "entity_type": types[model],
                    "object_id": pk,
                    "object_repr": object_repr[:200],
                    "kind": kind,
                    "actor": actor,
                    "actor_name": actor_name,
                    "request_id": ctx.request_id,
                    "source": ctx.source,
                    "changed_fields": sorted(changed),
                    "payload": payload,
                    "data": data or {},
                },
            )
        )
    return events


def write(events: Sequence[Any]) -> list[Any]:
    """Save ``events`` in the caller's transaction (several at once through ``insert_many``: they
    get no primary keys back)."""
    from guanxi.core.models import Event

    if not events:
        return []
    if len(events) == 1:
        events[0].save()
    else:  # the bulk loggers' events: nobody reads them back in the same operation
        from guanxi.framework.fastinsert import insert_many

        insert_many(Event, events)
    saved = list(events)
    _dispatch_inline_after_commit()
    return saved


def _event_for_change(row: Any, instance: models.Model | None, *, serialize: bool) -> Any:
    """The event of one ``ObjectChange`` row (see the module docstring for the payload rule)."""
    return _events_for_changes([(row, instance)], serialize=serialize)[0]


def _bulk_events(rows: Sequence[Any]) -> list[Any]:
    """The events of many change-log rows, their payloads the change-log values."""
    return _events_for_changes([(row, None) for row in rows], serialize=False)


def _events_for_changes(changes: Sequence[tuple[Any, models.Model | None]], *, serialize: bool) -> list[Any]:
    """The events of ``(ObjectChange row, its record or None)`` pairs."""
    items = []
    for row, instance in changes:
        kind = KIND_BY_ACTION[row.action]
        after = row.postchange_data or {}
        if kind == DELETED:
            payload, changed = dict(row.prechange_data or {}), []
        elif serialize and instance is not None:
            payload, changed = record_payload(instance), list(after)
        else:
            # the row's own dict, not a copy: written with it, it is dumped once (``shared_dumps``)
            payload, changed = after, list(after)
        model = type(instance) if instance is not None else row.changed_object_type.model_class()
        actor = row.user if row.user_id is not None else None
        items.append(
            (model, row.changed_object_id, kind, actor, changed, payload, None, row.object_repr, row.time)
        )
    return _new_events(items)


def capture(rows: Sequence[Any], instances: Iterable[models.Model]) -> list[Any]:
    """One event per change-log row just written; ``instances`` are the rows' records.

    One row (the signal path) gets the serializer payload; several (the bulk loggers) get the
    change-log values (see the module docstring)."""
    if not rows:
        return []
    if len(rows) > 1:  # the bulk loggers': the payload is the change-log values, no instance needed
        return write(_bulk_events(rows))
    row = rows[0]
    model = row.changed_object_type.model_class()
    instance = next(
        (i for i in instances if (i._meta.concrete_model, i.pk) == (model, row.changed_object_id)), None
    )
    return write([_event_for_change(row, instance, serialize=True)])


def capture_entries(
    entries: Sequence[tuple[Any, ...]], texts: Sequence[tuple[Any, Any]], occurred_at: Any
) -> int:
    """The events of bulk mode's change-log entries (``changes.ENTRY`` tuples) just written at
    ``occurred_at``, each with its values' JSON text ``(before, after)`` as written there: the
    rows ``capture`` writes for several change-log rows (the payload the change-log values, see
    the module docstring), built as tuples straight into ``fastinsert.insert_tuples``."""
    from guanxi.core.models import Event
    from guanxi.framework.fastinsert import insert_tuples, value_converter

    if not entries:
        return 0
    ctx = require_context()
    now = timezone.now()
    field = Event._meta.get_field
    occurred = value_converter(field("occurred_at"))(occurred_at)  # type: ignore[arg-type]
    next_attempt = value_converter(field("next_attempt_at"))(now)  # type: ignore[arg-type]
    request_id = value_converter(field("request_id"))(ctx.request_id)  # type: ignore[arg-type]
    changed_text = value_converter(field("changed_fields"))  # type: ignore[arg-type]
    empty = value_converter(field("data"))({})  # type: ignore[arg-type]
    names: dict[Any, str] = {}  # actor pk → username
    changed_memo: dict[tuple[str, ...], Any] = {}  # the changed fields' JSON per key set
    rows = []
    for entry, (before_text, after_text) in zip(entries, texts, strict=True):
        user, _name, _request, _source, action, ct, pk, label = entry[:8]
        actor = user if user is not None and user.pk is not None else ctx.actor
        if actor is None:
            actor_id, actor_name = None, ""
        else:
            actor_id = actor.pk
            if actor_id not in names:
                names[actor_id] = actor.get_username()
            actor_name = names[actor_id]
        kind = KIND_BY_ACTION[action]
        changed: Any
        if kind == DELETED:
            payload, changed = before_text if entry[10] else "{}", "[]"
        else:
            after = entry[11] or {}
            keys = tuple(after)
            changed = changed_memo.get(keys)
            if changed is None:
                changed = changed_memo[keys] = changed_text(sorted(keys))
            payload = after_text if entry[11] is not None else "{}"
        rows.append(
            (
                occurred,
                next_attempt,
                ct.pk,
                pk,
                label[:200],
                kind,
                actor_id,
                actor_name,
                request_id,
                ctx.source,
                changed,
                payload,
                empty,
            )
        )
    insert_tuples(Event, _EVENT_COLUMNS, rows)
    _dispatch_inline_after_commit()
    return len(rows)


_EVENT_COLUMNS = (
    "occurred_at",
    "next_attempt_at",
    "entity_type_id",
    "object_id",
    "object_repr",
    "kind",
    "actor_id",
    "actor_name",
    "request_id",
    "source",
    "changed_fields",
    "payload",
    "data",
)


def emit(kind: str, instance: models.Model, *, changed: Iterable[str] = (), **data: Any) -> Any:
    """Record a typed domain event about ``instance`` in the current transaction.

    >>> emit("lead.disqualified", lead, reason="no budget")

    ``kind`` is dotted (``<entity>.<what happened>``); ``data`` (JSON-ready values) is stored as
    the event's ``data``, the record's serializer output as its payload."""
    if "." not in kind:
        raise ValueError(f"A typed event kind is dotted, like 'lead.disqualified' (got {kind!r}).")
    event = build_event(instance, kind, changed=changed, data=data)
    write([event])
    return event


# --- inline delivery for the immediate task backend -------------------------------------------------
def inline_delivery() -> bool:
    """Whether events are dispatched in-process after commit (no worker: the immediate backend)."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    return backend.endswith("ImmediateBackend")


def _dispatch_after_commit() -> None:
    from guanxi.framework.events.dispatch import drain

    try:
        # A claim name of its own per process and thread: web processes may dispatch at once.
        drain(worker=f"inline:{os.getpid()}:{threading.get_ident()}"[:64])
    except Exception:
        # The events stay pending; a worker (or the next commit) delivers them.
        logger.exception("Inline event dispatch failed")


def _dispatch_inline_after_commit() -> None:
    if not inline_delivery():
        return
    # One callback per write() call (a bulk write is one call): the first to run after the commit
    # delivers everything due, the others find nothing (one SELECT each). Deduplicating by looking
    # at the connection's pending callbacks would miss commits that run only some of them.
    transaction.on_commit(_dispatch_after_commit)
