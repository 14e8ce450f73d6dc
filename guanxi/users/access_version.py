"""The organisation version: when a cached access snapshot stops being valid.

Each user's access snapshot (``guanxi.users.access``) is cached across requests under a key made
of the user id and the **organisation version**. Anything that can change what someone may see —
roles, role grants, field rules, role membership, a user's department / manager / active /
superuser flags or Django permissions, departments, record shares, public pools — bumps the
version, so every snapshot is recomputed on its owner's next request. Nothing is invalidated
user by user: access changes are rare, and recomputing a snapshot costs a handful of queries.

* ``org_version()`` costs one cache ``get``; the caller memoises it for the request (the snapshot
  is kept on the request's user object). On a cache miss the version is read from the
  ``AccessVersion`` row, so a flushed cache never resurrects an old version. The version is the
  row's counter *and* a random token drawn at every bump, so it never repeats across databases:
  a cache that outlives its database (a re-created demo or bench database, a restore from a
  backup) cannot hand out a snapshot computed from other data.
* ``bump_org_version()`` is called by the services that make such changes *and* by model signal
  receivers registered with ``watch_access_models`` (so an admin's raw save cannot leave a stale
  cache). It bumps twice: at once, to a token private to the open transaction (this connection's
  next read already sees the new access — and so do tests, whose transactions never commit), and
  in ``transaction.on_commit``, where the durable counter is incremented and cached. A snapshot
  another request computed from not-yet-committed data is stored under the private token, which
  is never used again after the commit.
* Two transactions committing at the same instant could write the cache in the opposite order of
  their counters; the version key therefore expires after ``VERSION_TTL`` seconds and is re-read
  from the row, which bounds such a race to that many seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "guanxi:access:org-version"
VERSION_TTL = 60  # seconds: bounds the commit-order race described above
SNAPSHOT_TTL = 24 * 3600  # a snapshot is keyed by version: the TTL only frees memory
PENDING_ATTR = "_guanxi_pending_org_version"  # the open transaction's private token, on its connection


def org_version() -> str:
    """The current organisation version (one cache get; one small query on a cache miss).

    Inside a transaction that changed access, its private token (held on the connection for as
    long as the change is uncommitted): the shared cache entry expires after ``VERSION_TTL``, and
    falling back to the durable counter then would bring back snapshots computed before the
    change — a long transaction (the demo, an import) would act on stale access."""
    connection = transaction.get_connection()
    pending = getattr(connection, PENDING_ATTR, None)
    if pending is not None:
        if connection.in_atomic_block and _commit_bump_queued(connection):
            return pending
        setattr(connection, PENDING_ATTR, None)  # committed or rolled back: no longer private
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _durable_version()
        cache.add(VERSION_KEY, version, VERSION_TTL)
    return str(version)


def _durable_version() -> str:
    """The row's counter and random token ("3-9f0c…"); one query while the row has its token.

    The token makes the version unique to this database's history: a cache shared by another
    database (a bench or a test database with the same user ids, a re-created demo) or kept
    across a restore never holds a snapshot under it. The migration draws the first token; a
    database emptied since (``flush``) gets its row back here."""
    from guanxi.users.models import AccessVersion

    row = AccessVersion.objects.filter(pk=1).values_list("version", "token").first()
    if row is not None and row[1]:
        return f"{row[0]}-{row[1]}"
    token = uuid.uuid4().hex
    if row is None:
        AccessVersion.objects.bulk_create([AccessVersion(pk=1, token=token)], ignore_conflicts=True)
    else:
        AccessVersion.objects.filter(pk=1, token="").update(token=token)
    version, stored = AccessVersion.objects.filter(pk=1).values_list("version", "token").get()
    return f"{version}-{stored}"


def _commit_bump() -> None:
    """Draw a new durable version and publish it (runs after the changing transaction)."""
    from guanxi.users.models import AccessVersion

    setattr(transaction.get_connection(), PENDING_ATTR, None)  # the change is public now
    token = uuid.uuid4().hex
    if not AccessVersion.objects.filter(pk=1).update(version=models.F("version") + 1, token=token):
        AccessVersion.objects.get_or_create(pk=1, defaults={"version": 1, "token": token})
    cache.set(VERSION_KEY, _durable_version(), VERSION_TTL)


def _commit_bump_queued(connection: Any) -> bool:
    return any(entry[1] is _commit_bump for entry in connection.run_on_commit)


def bump_org_version() -> None:
    """Invalidate every cached access snapshot (see the module docstring for the two steps)."""
    token = f"pending-{uuid.uuid4().hex}"
    cache.set(VERSION_KEY, token, VERSION_TTL)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        setattr(connection, PENDING_ATTR, token)
    if connection.in_atomic_block and _commit_bump_queued(connection):
        # One commit bump per transaction, however many rows change (an import of 1,000 shares).
        # The queued one was registered in this transaction, in a savepoint that is either still
        # open (so it encloses this change) or released into its parent; Django drops it only
        # when a savepoint around it rolls back, and then it is missing here and we queue anew.
        return
    transaction.on_commit(_commit_bump)


def watch_access_models(
    *models_: type[models.Model],
    fields: Iterable[str] | None = None,
    m2m: Iterable[Any] = (),
    on_create: Callable[[Any], bool] | None = None,
) -> None:
    """Bump the version whenever a row of ``models_`` is saved or deleted (only when one of
    ``fields`` changed, if given: ``update_fields`` tells; a full save always bumps), or one of
    the ``m2m`` through models changes. ``on_create(instance)`` decides whether a new row matters
    (a new user without a manager changes nobody's access)."""
    watched = frozenset(fields) if fields is not None else None

    def on_save(sender: type, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if raw:
            return
        if created and on_create is not None and not on_create(instance):
            return
        if watched is not None and update_fields is not None and not (watched & set(update_fields)):
            return
        bump_org_version()

    def on_delete(sender: type, **kwargs: Any) -> None:
        bump_org_version()

    def on_m2m(sender: type, action: str, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            bump_org_version()

    for model in models_:
        label = model._meta.label_lower
        post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"guanxi_access_save_{label}")
        post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=f"guanxi_access_del_{label}")
    for through in m2m:
        label = through._meta.label_lower
        m2m_changed.connect(on_m2m, sender=through, weak=False, dispatch_uid=f"guanxi_access_m2m_{label}")
