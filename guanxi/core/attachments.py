"""Files attached to records: upload, download and delete, within the limits from settings.

Access follows the record: whoever may view the record may list and download its files,
whoever may change it may attach and delete. Each upload and delete is change-logged on the
record itself (``Attachment.changelog_parent``), so it shows in the record's History and
timeline. Limits: ``ATTACHMENT_MAX_MB`` and ``ATTACHMENT_ALLOWED_TYPES`` (by extension, and the
upload's declared type must not contradict it).
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from guanxi.core.models import Attachment
from guanxi.framework.access import can
from guanxi.framework.models import AttachmentsMixin
from guanxi.framework.querysets import model_queryset


def validate_upload(uploaded: Any) -> None:
    """Field-level errors (key ``file``) for a file that is too large or of a refused type."""
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if uploaded.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_MB}}
        )
    if uploaded.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    extension = PurePath(uploaded.name).suffix.lower().lstrip(".")
    allowed = [t.lower() for t in settings.ATTACHMENT_ALLOWED_TYPES]
    if extension not in allowed:
        raise ValidationError(
            {
                "file": _("Files of type “%(ext)s” are not allowed (allowed: %(list)s).")
                % {"ext": extension or "?", "list": ", ".join(allowed)}
            }
        )


def attach_file(obj: models.Model, uploaded: Any, *, actor: Any) -> Attachment:
    """Attach ``uploaded`` to ``obj`` for ``actor`` (who must be allowed to change ``obj``)."""
    if not isinstance(obj, AttachmentsMixin):
        raise ValidationError({"file": _("This kind of record takes no attachments.")})
    if not model_queryset(type(obj)).restrict(actor, "change").filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))
    validate_upload(uploaded)
    name = PurePath(uploaded.name).name[:200]
    with transaction.atomic():
        return Attachment.objects.create(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            file=uploaded,
            name=name,
            size=uploaded.size,
            mime_type=(mimetypes.guess_type(name)[0] or "application/octet-stream")[:100],
        )


def delete_attachment(attachment: Attachment, *, actor: Any) -> None:
    parent = attachment.content_object
    if parent is None or not type(parent).objects.restrict(actor, "change").filter(pk=parent.pk).exists():
        raise PermissionDenied(_("You may not change this record."))
    with transaction.atomic():
        stored = attachment.file.name
        assert stored is not None  # the file field is required
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.storage.delete(stored))


def visible_attachment(user: Any, pk: int) -> Attachment:
    """The attachment if ``user`` may view its record; raises Attachment.DoesNotExist otherwise."""
    attachment = Attachment.objects.select_related("content_type").get(pk=pk)
    model = attachment.content_type.model_class()
    if (
        model is None
        or not model_queryset(model).restrict(user, "view").filter(pk=attachment.object_id).exists()
    ):
        raise Attachment.DoesNotExist
    return attachment


def attachments_panel_context(request: Any, obj: models.Model) -> dict[str, Any]:
    """The "Files" card of a record's detail page."""
    if not isinstance(obj, AttachmentsMixin):
        return {}
    records = model_queryset(type(obj))
    files = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    )
    return {
        "show_files_panel": True,
        "files_object": obj,
        "files": files.select_related("created_by"),
        "files_can_change": records.restrict(request.user, "change").filter(pk=obj.pk).exists()
        and can(request.user, "change", type(obj)),
        "files_ct": ContentType.objects.get_for_model(type(obj)).pk,
        "files_max_mb": settings.ATTACHMENT_MAX_MB,
        "files_accept": ",".join(f".{t}" for t in settings.ATTACHMENT_ALLOWED_TYPES),
    }
