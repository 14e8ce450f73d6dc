from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class RecordShare(ChangeLoggedModel):
    """A record shared with a team member beyond the scope rules (read, or read-write)."""

    class Access(models.TextChoices):
        READ = "read", _("Can view")
        WRITE = "write", _("Can edit")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team member"),
        on_delete=models.CASCADE,
        related_name="shares",
    )
    access = models.CharField(_("access"), max_length=10, choices=Access.choices, default=Access.READ)

    changelog_parent = "content_object"

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="recordshare_unique")
        ]
        indexes = [models.Index(fields=["user", "content_type", "object_id"], name="recordshare_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_access_display()})"

    def merge_duplicate(self, duplicate: RecordShare, *, actor: Any) -> None:
        """A merge found the same team member on both records: keep the wider access
        (``guanxi.framework.merging``)."""
        if duplicate.access == self.Access.WRITE and self.access != self.Access.WRITE:
            from guanxi.framework.write import save_object

            self.access = self.Access.WRITE
            save_object(self, actor=actor, check_visible=False)
