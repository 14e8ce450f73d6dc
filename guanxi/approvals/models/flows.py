"""Approval flows (审批流程): which document type and transition, when (a condition), and who approves.

A flow's ``steps`` is a short list kept as JSON on the flow (a flow is edited as one piece, on its
page or with one API call; ``clean()`` checks every step)::

    [{"name": "经理审批", "name_en": "Manager", "approvers": "manager", "mode": "any"},
     {"name": "总监审批", "approvers": "role", "role": "sales_director", "mode": "all"},
     {"name": "财务", "approvers": "users", "users": [12, 15], "mode": "any"}]
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.framework.i18n import localized
from guanxi.framework.models import OrganizationalModel

MAX_STEPS = 10


class ApproverKind(models.TextChoices):
    ROLE = "role", _("Everyone with a role")
    MANAGER = "manager", _("The submitter's manager")
    MANAGER2 = "manager2", _("The manager's manager")
    USERS = "users", _("Named users")


class StepMode(models.TextChoices):
    ANY = "any", _("Any one approves")
    ALL = "all", _("All must approve")


def role_queryset(code: str) -> models.QuerySet:
    """Roles by their stable code (or, where roles have no code, by name)."""
    from guanxi.users.models import Role

    names = {f.name for f in Role._meta.get_fields()}
    if "code" in names:
        return Role.objects.filter(models.Q(code=code) | models.Q(name=code))
    return Role.objects.filter(name=code)


class ApprovalFlow(OrganizationalModel):
    """One approval flow for one document type and transition (the first active match applies)."""

    # Configuration every holder of a grant on flows reads in full (administrators, by default).
    access_reference_data = True

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("document type"), on_delete=models.CASCADE, related_name="+"
    )
    transition = models.CharField(_("transition"), max_length=50)
    condition = models.JSONField(
        _("condition"), default=dict, blank=True, help_text=_("Empty: every document of the type.")
    )
    steps = models.JSONField(_("steps"), default=list)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower first: the first active flow that matches applies.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    deadline_hours = models.PositiveIntegerField(
        _("deadline (hours per step)"), null=True, blank=True, help_text=_("Empty: no deadline.")
    )
    remind_hours = models.PositiveIntegerField(
        _("remind after (hours)"),
        null=True,
        blank=True,
        help_text=_("Empty: at half the deadline."),
    )
    escalate = models.BooleanField(
        _("escalate when overdue"),
        default=True,
        help_text=_("At the deadline the approvers' managers are added to the step."),
    )
    key = models.CharField(
        _("declared as"), max_length=100, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("approval flow")
        verbose_name_plural = _("approval flows")
        ordering = ["content_type_id", "transition", "priority", "pk"]
        indexes = [models.Index(fields=["content_type", "transition", "priority"], name="approvalflow_match")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("approvals:flow_edit", args=[self.pk]) if self.pk else ""

    @property
    def document_label(self) -> str:
        """「报价 · 提交审批」: the document type and the action that waits for the approval."""
        model = self.document_model
        if model is None:
            return self.transition
        from guanxi.framework.statemachine import machines_for

        label = next(
            (
                str(m.transitions[self.transition].label)
                for m in machines_for(model)
                if self.transition in m.transitions
            ),
            self.transition,
        )
        return f"{model._meta.verbose_name} · {label}"

    @property
    def step_labels(self) -> list[str]:
        return [self.step_label(index) for index in range(len(self.steps or []))]

    @property
    def document_model(self) -> type[models.Model] | None:
        return self.content_type.model_class() if self.content_type_id else None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        model = self.document_model
        if model is not None:
            from guanxi.approvals.declare import approvable_transitions

            offered = approvable_transitions(model)
            if self.transition not in offered:
                errors["transition"] = [
                    gettext("“%(name)s” is not a transition of %(model)s that waits for an approval.")
                    % {"name": self.transition, "model": model._meta.verbose_name}
                ]
            try:
                from guanxi.framework import conditions

                self.condition = conditions.validate(self.condition or {"version": 1, "all": []}, model, None)
                if conditions.person_tokens(self.condition):
                    errors["condition"] = [gettext("A flow's condition cannot use “me” or “my team”.")]
            except ValidationError as exc:
                errors["condition"] = exc.messages
        step_errors = self.clean_steps()
        if step_errors:
            errors["steps"] = step_errors
        if errors:
            raise ValidationError(errors)

    def clean_steps(self) -> list[str]:
        """Check and normalise ``steps``; the messages of what is wrong (none when all is well)."""
        steps = self.steps
        if not isinstance(steps, list) or not steps:
            return [gettext("A flow needs at least one step.")]
        if len(steps) > MAX_STEPS:
            return [gettext("A flow has at most %(n)s steps.") % {"n": MAX_STEPS}]
        messages: list[str] = []
        clean: list[dict[str, Any]] = []
        kinds, modes = set(ApproverKind.values), set(StepMode.values)
        for number, step in enumerate(steps, start=1):
            where = gettext("Step %(n)s") % {"n": number}
            if not isinstance(step, dict):
                messages.append(f"{where}: " + gettext("each step is an object."))
                continue
            kind = step.get("approvers")
            mode = step.get("mode", StepMode.ANY)
            if kind not in kinds:
                messages.append(
                    f"{where}: "
                    + gettext("“approvers” is one of: %(kinds)s.") % {"kinds": ", ".join(sorted(kinds))}
                )
                continue
            if mode not in modes:
                messages.append(f"{where}: " + gettext("“mode” is “any” or “all”."))
                continue
            item: dict[str, Any] = {
                "name": str(step.get("name") or "")[:100],
                "name_en": str(step.get("name_en") or "")[:100],
                "approvers": kind,
                "mode": mode,
            }
            if kind == ApproverKind.ROLE:
                code = str(step.get("role") or "")
                if not code or not role_queryset(code).exists():
                    messages.append(f"{where}: " + gettext("there is no role “%(role)s”.") % {"role": code})
                    continue
                item["role"] = code
            elif kind == ApproverKind.USERS:
                ids = step.get("users")
                if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
                    messages.append(f"{where}: " + gettext("name at least one user (their ids)."))
                    continue
                found = set(
                    get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
                )
                if found != set(ids):
                    messages.append(
                        f"{where}: " + gettext("some of these users do not exist or are inactive.")
                    )
                    continue
                item["users"] = list(dict.fromkeys(ids))
            clean.append(item)
        if not messages:
            self.steps = clean
        return messages

    def step_label(self, index: int) -> str:
        step = self.steps[index]
        name = localized(step.get("name", ""), step.get("name_en", ""))
        return name or str(ApproverKind(step["approvers"]).label)
