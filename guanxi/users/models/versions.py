"""The organisation version (one counter bumped whenever anything that decides access changes),
and the record of registry defaults already given to the shipped roles."""

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
    # A random token drawn at every bump: the version other processes read. A counter alone
    # repeats across databases (a recreated or restored database counts 1, 2, 3 again) and a
    # cache that outlived the database would hand out snapshots computed from other data.
    token = models.CharField(max_length=32, default="", blank=True)

    class Meta:
        verbose_name = "access version"
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.version)


class AppliedDefault(models.Model):
    """A default from the entity registry (a grant or field rule of a shipped role) given once.

    ``key`` is ``grant:<role code>:<app_label>.<model>`` or
    ``field:<role code>:<app_label>.<model>.<field>``. After it is recorded the default is never
    applied again, so an administrator who narrows or removes it keeps that choice across
    upgrades; a new entity's defaults still arrive with the ``migrate`` that installs it.
    """

    key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = "applied default"
        default_permissions = ()

    def __str__(self) -> str:
        return self.key
