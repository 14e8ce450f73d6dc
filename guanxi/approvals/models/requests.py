"""Approval requests (审批单), their steps and every action taken on them.

* ``ApprovalRequest`` — one submitted transition of one document (the record under approval),
  pending until its last step is approved, or rejected / withdrawn. Its ``status`` is a state
  machine that only the engine moves (``guanxi.approvals.services``).
* ``ApprovalStep`` — the flow's steps copied at submission with their resolved approvers, so a
  later edit of the flow or of the organisation never changes a request under way.
* ``ApprovalAction`` — who did what and when (submitted, approved, rejected, withdrawn, skipped,
  reminded, escalated), with the comment: the request's history and the document's timeline.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework.i18n import localized
from guanxi.framework.models import ChangeLoggedModel
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext


def _stamp_decided(ctx: TransitionContext) -> None:
    from django.utils import timezone

    ctx.obj.decided_at = timezone.now()


_COMMENT = {"comment": Input(field="comment", required=False)}


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("approval", "Withdrawn")


class StepStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("approval", "Waiting")
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval", "Rejected")
    SKIPPED = "skipped", pgettext_lazy("approval", "Skipped")
    CANCELLED = "cancelled", pgettext_lazy("approval", "Cancelled")


class ActionKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("approval", "Submitted")
    APPROVED = "approved", pgettext_lazy("approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("approval", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("approval", "Withdrawn")
    SKIPPED = "skipped", pgettext_lazy("approval", "Skipped")
    REMINDED = "reminded", pgettext_lazy("approval", "Reminded")
    ESCALATED = "escalated", pgettext_lazy("approval", "Escalated")
    COMPLETED = "completed", pgettext_lazy("approval", "Completed")


class ApprovalRequest(ChangeLoggedModel):
    """A transition of one document waiting for approval."""

    # The approvals of a merged document stay its history (guanxi.framework.merging).
    merge_moves = False

    flow = models.ForeignKey(
        "approvals.ApprovalFlow",
        verbose_name=_("approval flow"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("document type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("document id"))
    document = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("document"), max_length=200)
    transition = models.CharField(_("transition"), max_length=50)
    transition_label = models.CharField(_("action"), max_length=100)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="approval_requests",
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    # Who may read a request: its submitter (本人), their managers and department (the scopes), and
    # — through the row-access extension in ``guanxi.approvals.access`` — its approvers.
    access_owner_field = "submitter_id"
    access_department_field = "department_id"
    # The request's changes (created, approved …) show in the document's own history.
    changelog_parent = "document"
    # ``object_repr`` copies the document's label under no field rule: the change log does not
    # keep it (the change's own label names the document, read under the reader's rules).
    changelog_exclude = ("updated_at", "updated_by", "object_repr")

    status_machine = StateMachine(
        field="status",
        transitions=[
            # Only the engine takes these (actor=None): approvers act through the services.
            Transition(
                name="approve",
                source=["pending"],
                target="approved",
                label=_("Approve"),
                effects=[_stamp_decided],
                direct=False,
            ),
            Transition(
                name="reject",
                source=["pending"],
                target="rejected",
                label=_("Reject"),
                inputs=_COMMENT,
                effects=[_stamp_decided],
                direct=False,
            ),
            Transition(
                name="withdraw",
                source=["pending"],
                target="withdrawn",
                label=_("Withdraw"),
                inputs=_COMMENT,
                effects=[_stamp_decided],
                direct=False,
            ),
        ],
    )

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "status"], name="approvalrequest_doc"),
            models.Index(fields=["submitter", "-created_at"], name="approvalrequest_submitter"),
        ]
        constraints = [
            # One pending request per document: the lock the write guard reads.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(status="pending"),
                name="approvalrequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition_label} · {self.object_repr}"

    @classmethod
    def reader_labels(cls, user: Any, requests: list[ApprovalRequest]) -> list[str]:
        """ "提交审批 · <document>" with the document's label as ``user`` may read it
        (``fieldaccess.label``): the stored ``object_repr`` was written under no field rule."""
        from guanxi.approvals.access import label_requests

        label_requests(user, requests)
        return [f"{r.action_label} · {r.reader_label}" for r in requests]  # type: ignore[attr-defined]

    @property
    def action_label(self) -> str:
        """What is asked, in the reader's language: the transition's label as declared now
        (``transition_label`` keeps the words of the submitter's language at submission), or
        the stored label when the transition is no longer declared or needs the record."""
        from django.core.exceptions import ValidationError

        from guanxi.framework.statemachine import get_transition

        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        if model is None:
            return self.transition_label
        try:
            _machine, declared = get_transition(model, self.transition)
        except ValidationError:
            return self.transition_label
        return str(declared.label or self.transition_label)

    def get_absolute_url(self) -> str:
        return reverse("approvals:request_detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class ApprovalStep(ChangeLoggedModel):
    """One step of one request, with the approvers resolved at submission."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("approval request"), on_delete=models.CASCADE, related_name="steps"
    )
    index = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=3, default="any")
    escalate = models.BooleanField(_("escalate when overdue"), default=True)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("approvers"), blank=True, related_name="approval_steps"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    access_parent = "request"
    changelog_parent = "request"

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "index"]
        constraints = [models.UniqueConstraint(fields=["request", "index"], name="approvalstep_unique_index")]
        indexes = [models.Index(fields=["status", "due_at"], name="approvalstep_due")]

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class ApprovalAction(ChangeLoggedModel):
    """One thing that happened to a request (a decision, a skip, a reminder, an escalation)."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("approval request"), on_delete=models.CASCADE, related_name="actions"
    )
    step = models.ForeignKey(
        ApprovalStep,
        verbose_name=_("approval step"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("action"), max_length=10, choices=ActionKind.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    access_parent = "request"
    changelog_parent = "request"

    class Meta:
        verbose_name = _("approval action")
        verbose_name_plural = _("approval actions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.request}"

    @classmethod
    def reader_labels(cls, user: Any, actions: list[ApprovalAction]) -> list[str]:
        """ "Approved · 提交审批 · <document>", the document's label as ``user`` may read it: the
        requests' labels (``ApprovalRequest.reader_labels``), loaded in one query."""
        requests = list(ApprovalRequest.objects.filter(pk__in={a.request_id for a in actions}))
        labels = dict(
            zip((r.pk for r in requests), ApprovalRequest.reader_labels(user, requests), strict=True)
        )
        return [f"{a.get_kind_display()} · {labels.get(a.request_id, '')}" for a in actions]
