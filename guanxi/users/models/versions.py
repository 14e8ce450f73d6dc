"""The organisation version: one counter bumped whenever anything that decides access changes."""

from __future__ import annotations

from django.db import models


class AccessVersion(models.Model):
    """A single row (pk 1) holding the organisation version.

    The version lives in the cache (one ``get`` per request, see ``guanxi.users.access_version``);
    this row is its durable copy, so losing the cache (a Redis flush, a new file cache) never
    brings back a version whose cached access snapshots are stale. Framework bookkeeping: not an
    entity, no ``restrict()``, no change log.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "access version"
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.version)
