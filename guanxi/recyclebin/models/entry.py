"""One deleted record in the recycle bin: the rows its delete removed, serialized, until purged."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but times keep their microseconds: a restored row must keep its
    ``updated_at`` to the microsecond (it is the row's version token, ``write.version_of``)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class RecycleBinEntry(models.Model):
    """A deleted business record (its *root* row) and every row its delete removed or unlinked.

    ``rows`` holds the removed rows in Django's serialization format (``model``, ``pk``,
    ``fields``; custom fields and many-to-many values included), parents first, the root first of
    all; ``unlinked`` the rows whose foreign key the delete set to NULL (``[label, column, old
    value, [pks]]``), so a restore links them again. ``owner`` and ``department`` are the root's at
    the time of the delete: who may restore it is decided on them (``guanxi.recyclebin.access``).
    Reading goes through ``access.restorable_entries`` only: the entry has no ``restrict()``
    (it is never granted; the bin's own rule decides, see ``guanxi.recyclebin.access``).
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted at"), db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_by_name = models.CharField(_("deleted by"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), db_index=True)
    purge_after = models.DateTimeField(_("purged after"), db_index=True)
    rows = models.JSONField(_("rows"), default=list, encoder=ExactJSONEncoder)
    unlinked = models.JSONField(_("unlinked rows"), default=list, encoder=ExactJSONEncoder)
    related = models.JSONField(_("related rows"), default=dict)
    related_count = models.PositiveIntegerField(_("related rows"), default=0)
    files = models.JSONField(_("files"), default=list)

    class Meta:
        verbose_name = _("recycle bin entry")
        verbose_name_plural = _("recycle bin")
        ordering = ["-deleted_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "-deleted_at"], name="recyclebin_type"),
            models.Index(fields=["content_type", "object_id"], name="recyclebin_object"),
        ]

    def __str__(self) -> str:
        return self.object_repr

    @classmethod
    def reader_labels(cls, user: Any, entries: list[RecycleBinEntry]) -> list[str]:
        """The deleted record's label as ``user`` may read it (``access.label_entries``), not the
        stored ``object_repr`` (written under no field rule)."""
        from guanxi.recyclebin.access import label_entries

        return label_entries(user, entries)

    @property
    def model(self) -> type[models.Model] | None:
        return self.content_type.model_class()

    def related_summary(self) -> list[tuple[Any, int]]:
        """(plural type name, count) of the rows deleted or unlinked with the record."""
        from django.apps import apps

        out: list[tuple[Any, int]] = []
        for label, count in sorted(self.related.items()):
            try:
                model = apps.get_model(label)
            except LookupError:
                out.append((label, count))
                continue
            out.append((model._meta.verbose_name_plural, count))
        return out
