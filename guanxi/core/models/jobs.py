from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import BaseModel


class Job(BaseModel):
    """Long user-visible background work (import, export, merge, send) with live progress.

    Created by ``guanxi.framework.jobs.start_job`` before the task is enqueued (on commit); the
    task updates ``progress``/``message`` as it goes and ends with ``result`` or ``error``. The UI
    polls ``/jobs/<id>/`` for a progress bar; "My jobs" lists a user's jobs.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=200)
    # The name as a message id and parameters (``guanxi.framework.i18n.deferred``), translated
    # for whoever reads the job list; ``name`` holds it as rendered for the starter.
    name_message = models.JSONField(_("name message"), null=True, blank=True, editable=False)
    task_path = models.CharField(_("task"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Last sign of life of a running job (progress, and a beat every few seconds from the process
    # running it): a running job whose heartbeat is older than JOB_STALE_SECONDS lost its worker.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's (active) language."""
        from guanxi.framework.i18n import render_message

        return render_message(self.name_message, self.name)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)


class WorkerHeartbeat(models.Model):
    """Last sign of life of each task worker process; /healthz reports stale ones."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    backend = models.CharField(max_length=50)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class ScheduleState(models.Model):
    """When each periodic schedule (registered in code) was last enqueued; rows are claimed with a
    conditional UPDATE so two schedulers never enqueue the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
