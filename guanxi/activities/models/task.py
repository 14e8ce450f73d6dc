"""Tasks (待办): something a user has to do by a time, optionally about a record."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.activities.choices import Priority, TaskStatus
from guanxi.framework.models import PrimaryModel
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext

# Reminders go out this long before a task is due (or right away when that moment has passed).
REMIND_BEFORE = datetime.timedelta(minutes=15)
# Fields the reminder rule (Task.before_write) may change along with the due time.
REMINDER_FIELDS = ("due_at", "remind_at", "reminded_at")


def default_remind_at(due_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> Any:
    """``REMIND_BEFORE`` before ``due_at``, but not in the past; None without a future due time."""
    if due_at is None:
        return None
    now = now or timezone.now()
    if due_at <= now:
        return None  # already due: the task is on "My day" as overdue, a reminder adds nothing
    return max(due_at - REMIND_BEFORE, now)


def _stamp_done(ctx: TransitionContext) -> None:
    if ctx.obj.done_at is None:  # "done_at" was not given: done now
        ctx.obj.done_at = timezone.now()


def _clear_done(ctx: TransitionContext) -> None:
    ctx.obj.done_at = None


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

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="complete",
                source=[TaskStatus.OPEN],
                target=TaskStatus.DONE,
                label=_("Mark done"),
                inputs={"done_at": Input(field="done_at", required=False, label=_("done at"))},
                effects=[_stamp_done],
            ),
            Transition(
                name="reopen",
                source=[TaskStatus.DONE],
                target=TaskStatus.OPEN,
                label=_("Reopen"),
                effects=[_clear_done],
            ),
        ],
    )

    class Meta:
        verbose_name = pgettext_lazy("activity", "task")
        verbose_name_plural = _("tasks")
        ordering = ["-status", "due_at", "-id"]  # open ("open" > "done") first, soonest due first
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

    def before_write(self, changed: set[str], creating: bool) -> None:
        """A new due time re-arms the reminder: it moves with the due time (unless a reminder time
        was set in the same write), and a moved reminder is sent again."""
        super().before_write(changed, creating)
        if creating:
            return  # create_task sets the first reminder (the caller may ask for none)
        if "due_at" in changed and "remind_at" not in changed:
            self.remind_at = default_remind_at(self.due_at)
        if {"due_at", "remind_at"} & changed:
            self.reminded_at = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"due_at", "remind_at"} & set(update_fields):
            # before_write may move the reminder along: write what it changes too.
            kwargs["update_fields"] = {*update_fields, *REMINDER_FIELDS}
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE
