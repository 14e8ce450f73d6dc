"""Small configuration tables held in each process and reloaded when they change.

Configurable choice options, pipelines and their stages: a few hundred rows that nearly every
request reads and an administrator changes a few times a year. Reading them from the database
on each use costs a round trip and a compiled query every time (the deal list's "open" filter
needs the stage ids of its pipeline); ``ConfigCache(name, load)`` keeps what ``load()`` returns
in the process instead.

* **When it reloads.** A version token in Django's cache (shared by every process) says which
  load is current. ``get()`` checks it once per request or task (per actor context), on every
  call outside one; a different token — or none, after the cache was cleared — reloads.
* **Who bumps it.** ``changed()``: the services that write the table call it, and ``watch()``
  makes every write of the given models call it (the write path's guards, bulk paths included,
  and Django's save/delete signals for writes outside it — migrations, the demo loader). The
  new token is published after the commit, so no process reloads data that is not committed.
* **Inside the changing transaction** the writer must see its own change at once, and nobody
  else may keep it if the transaction rolls back: until it commits, ``get()`` answers from a load
  kept on that connection alone (the same private-until-commit rule as the access version).

The loaded value is shared by every thread of the process: ``load()`` must return data nobody
mutates (tuples, frozen dataclasses, mappings treated as read-only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save


class ConfigCache[T]:
    """``load()``'s result, kept in the process until the table changes (see the module docstring).

    >>> STAGES = ConfigCache("sales:stages", load_stages)
    >>> STAGES.watch(Stage)
    >>> STAGES.get()
    """

    def __init__(self, name: str, load: Callable[[], T | None]) -> None:
        self.name = name
        self.key = f"guanxi:{name}:version"
        self._load = load
        # (version, value) of the last load; replaced as a whole, so threads never see a mix
        self._loaded: tuple[str, T] | None = None
        # the request id of the actor context that last checked the version, per thread / task
        self._checked_in: ContextVar[Any] = ContextVar(f"guanxi_config_{name}", default=None)
        self._publish = self.invalidate  # one bound method: found again in the on-commit queue
        self._private_attr = f"_guanxi_config_{name}"  # the changing transaction's own load

    def get(self) -> T | None:
        """The table as ``load()`` returned it (None when it could not load: no table yet)."""
        from guanxi.framework.context import current_context

        connection = transaction.get_connection()
        if self._changed_in_open_transaction():  # its own change, not yet anybody else's
            private = getattr(connection, self._private_attr, None)
            if private is None:
                private = self._load()
                setattr(connection, self._private_attr, private)
            return private
        ctx = current_context()
        request_id = ctx.request_id if ctx is not None else None
        loaded = self._loaded
        if loaded is not None and request_id is not None and self._checked_in.get() == request_id:
            return loaded[1]
        version = self._current_version()
        if loaded is None or loaded[0] != version:
            value = self._load()
            if value is None:
                return None
            loaded = self._loaded = (version, value)
        self._checked_in.set(request_id)
        return loaded[1]

    def changed(self) -> None:
        """The table was written: this transaction reads it afresh, every process after the commit."""
        self._loaded = None
        self._checked_in.set(None)
        setattr(transaction.get_connection(), self._private_attr, None)
        if not self._changed_in_open_transaction():
            transaction.on_commit(self._publish)

    def invalidate(self) -> None:
        """Make every process reload (called after a committed change)."""
        cache.set(self.key, uuid.uuid4().hex, None)
        self._loaded = None
        self._checked_in.set(None)

    def watch(self, *models: type[Model]) -> None:
        """Call ``changed()`` on every write of ``models``: the write path's guards (single and
        bulk writes, deletes, merges) and Django's ``post_save`` / ``post_delete``."""
        from guanxi.framework.write import register_write_guard

        def on_write(instance: Any, actor: Any, action: str) -> None:
            self.changed()

        def on_bulk_write(instances: list[Any], actor: Any, action: str) -> dict[int, Any]:
            self.changed()
            return {}

        def on_signal(sender: type, **kwargs: Any) -> None:
            if not kwargs.get("raw"):
                self.changed()

        for model in models:
            register_write_guard(model, on_write, bulk=on_bulk_write)
            uid = f"{self.key}:{model._meta.label_lower}"
            post_save.connect(on_signal, sender=model, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(on_signal, sender=model, weak=False, dispatch_uid=f"{uid}:delete")

    def _current_version(self) -> str:
        version = cache.get(self.key)
        if version is None:  # first use, or the cache was cleared: make everyone reload once
            cache.add(self.key, uuid.uuid4().hex, None)
            version = cache.get(self.key) or ""
        return str(version)

    def _changed_in_open_transaction(self) -> bool:
        connection = transaction.get_connection()
        queued = connection.run_on_commit
        return connection.in_atomic_block and any(entry[1] is self._publish for entry in queued)
