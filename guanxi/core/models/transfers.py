"""Ownership transfers (转移负责人 / 离职交接): who handed which records to whom, and why."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnershipTransfer(models.Model):
    """One transfer action: records of several kinds moved to ``to_user`` with a reason.

    Written by ``guanxi.framework.transfer.transfer_records`` only. Not change-logged itself: each
    moved row gets its own change-log entry; this row is the summary the timeline and the
    notification refer to. ``counts`` is ``{"customers.customer": 12, ...}``.
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transferred by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("ownership transfer")
        verbose_name_plural = _("ownership transfers")
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.from_user or '—'} → {self.to_user}: {self.reason}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class OwnershipTransferItem(models.Model):
    """One row moved by a transfer, with its previous owner (the timeline says "from 王芳")."""

    transfer = models.ForeignKey(OwnershipTransfer, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("transferred record")
        verbose_name_plural = _("transferred records")
        indexes = [models.Index(fields=["content_type", "object_id"], name="transferitem_object")]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.content_type_id}/{self.object_id}"
