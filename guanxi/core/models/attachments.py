from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


def attachment_path(instance: Attachment, filename: str) -> str:
    ct = instance.content_type
    return f"attachments/{ct.app_label}/{ct.model}/{instance.object_id}/{filename}"


class Attachment(ChangeLoggedModel):
    """A file attached to any row, stored through Django's storage API (disk or S3)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    mime_type = models.CharField(_("type"), max_length=100, blank=True)

    changelog_parent = "content_object"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_object")]

    def __str__(self) -> str:
        return self.name
