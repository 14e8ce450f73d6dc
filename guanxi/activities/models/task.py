"""Tasks (待办): something a user has to do by a time, optionally about a record."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.activities.choices import Priority, TaskStatus
from guanxi.framework.models import PrimaryModel


class Task(PrimaryModel):
    """A to-do assigned to its owner, with a due time, a reminder and an optional related record.

    ``remind_at`` is when the scheduler reminds the assignee; ``reminded_at`` records that it did
    (so a reminder is sent once). ``follow_up`` is the follow-up whose "next follow-up" created it.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN, editable=False
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    target_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True, editable=False)
    target = GenericForeignKey("target_type", "target_id")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        editable=False,
    )
    follow_up = models.ForeignKey(
        "activities.FollowUp",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        editable=False,
    )

    # Bookkeeping of the reminder loop: no history entry for "reminder sent".
    changelog_exclude = ("updated_at", "updated_by", "reminded_at")

    class Meta:
        verbose_name = pgettext_lazy("activity", "task")
        verbose_name_plural = _("tasks")
        ordering = ["status", "due_at", "-id"]
        indexes = [
            # "My day" and "my open tasks": owner + status, by due time.
            models.Index(fields=["owner", "status", "due_at"], name="task_owner_status_due"),
            models.Index(fields=["status", "due_at"], name="task_status_due"),
            # The reminder loop: open, not reminded yet, remind_at passed.
            models.Index(fields=["status", "reminded_at", "remind_at"], name="task_reminder_due"),
            # Timelines: a record's and a customer's tasks, created and done.
            models.Index(fields=["target_type", "target_id", "created_at"], name="task_target_created"),
            models.Index(fields=["target_type", "target_id", "done_at"], name="task_target_done"),
            models.Index(fields=["customer", "created_at"], name="task_customer_created"),
            models.Index(fields=["customer", "done_at"], name="task_customer_done"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE
