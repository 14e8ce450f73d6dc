"""Staging for imports: a batch per uploaded file, a staging row per data row, saved mappings.

The engine (``guanxi.imports.engine``) moves a batch through ``staged → validated → committing →
completed`` (or ``failed`` / ``cancelled``, later ``undone``). Each staging row carries its own
status, so a commit interrupted by a crash continues where it stopped: a chunk of rows and their
statuses are written in one transaction, so a chunk is either wholly written or still ``valid``.

These tables are machinery, like ``core.Job``: they are not business records, carry no owner and
are written by the engine directly, never through the entity write path (the records they
create are).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatchManager(models.Manager["ImportBatch"]):
    def visible_to(self, user: Any) -> models.QuerySet[ImportBatch]:
        """The batches ``user`` may see and act on (page, progress, error file, undo): the ones
        they uploaded; a superuser, every batch. The one rule for the views and the engine."""
        if getattr(user, "is_superuser", False):
            return self.all()
        return self.filter(user_id=getattr(user, "pk", 0) or 0)  # anonymous: nobody's


class ImportBatch(models.Model):
    """One import of one file into one entity type, by one user, with its settings and counters."""

    class Mode(models.TextChoices):
        CREATE = "create", _("Create new records only")
        UPDATE = "update", _("Update existing records only")
        UPSERT = "upsert", _("Update existing records, create the others")

    class Policy(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create a new record anyway")
        REVIEW = "review", _("Flag the row for review")

    class Status(models.TextChoices):
        STAGED = "staged", _("Uploaded")
        VALIDATED = "validated", _("Checked")
        COMMITTING = "committing", _("Importing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        UNDONE = "undone", _("Undone")

    entity = models.CharField(_("record type"), max_length=100)  # model label, "customers.customer"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.CharField(_("stored file"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("file size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header = models.JSONField(_("column titles"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)  # {"<column index>": "<field>"}
    value_map = models.JSONField(_("value mapping"), default=dict)  # {"<field>": {"A类": "A"}}
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.CREATE)
    match_key = models.CharField(_("match on"), max_length=50, blank=True)
    policy = models.CharField(_("duplicates"), max_length=10, choices=Policy.choices, default=Policy.SKIP)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.STAGED)
    cancel_requested = models.BooleanField(default=False)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # every record the commit writes is logged under this request id: undo finds "before" values by it
    request_id = models.UUIDField(default=uuid.uuid4, editable=False)
    total = models.PositiveIntegerField(_("rows"), default=0)
    valid = models.PositiveIntegerField(_("valid rows"), default=0)
    failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    review = models.PositiveIntegerField(_("rows to review"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    timings = models.JSONField(_("timings"), default=dict)  # {"stage": s, "validate": s, "commit": s}
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects: ClassVar[ImportBatchManager] = ImportBatchManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.entity}"

    def summary(self) -> dict[str, int | str]:
        """The one-line result: counts by outcome (the CLI prints it as JSON, the job keeps it)."""
        return {
            "batch": self.pk,
            "status": self.status,
            "rows": self.total,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "review": self.review,
            "failed": self.failed,
        }


class ImportRow(models.Model):
    """One data row of a batch: the cells as read, the values as parsed, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        VALID = "valid", _("Ready")
        ERROR = "error", _("Error")
        REVIEW = "review", _("To review")
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        SKIPPED = "skipped", _("Skipped")
        UNDONE = "undone", _("Undone")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))  # the spreadsheet's row number (header = 1)
    raw = models.JSONField(_("cells"), default=list)
    values = models.JSONField(_("values"), null=True, blank=True)  # {"field": JSON-ready value}
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    messages = models.JSONField(_("messages"), default=list)  # [[column title, message], …]
    object_id = models.BigIntegerField(_("record"), null=True, blank=True)
    # the record's updated_at right after the import wrote it: undo refuses when it moved since
    written_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="importrow_batch_number")]
        indexes = [models.Index(fields=["batch", "status", "number"], name="importrow_batch_status")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"


class SavedMapping(models.Model):
    """A named column mapping (and value mapping) a user saved for the next file of the same kind."""

    entity = models.CharField(_("record type"), max_length=100)
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(_("columns"), default=dict)  # {"<column title>": "<field>"}
    value_map = models.JSONField(_("value mapping"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved import mapping")
        verbose_name_plural = _("saved import mappings")
        ordering = ["entity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "user", "name"], name="savedmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
