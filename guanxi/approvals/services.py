"""The approval engine's use cases: submit (the state machines' handler), approve, reject,
withdraw, and the deadline pass (reminders and escalation).

Every use case runs in one transaction with the request row locked (``select_for_update``), so two
approvers acting at once are serialised and the second sees the first one's decision. A refusal —
acting on a request that is no longer pending, approving twice, acting without being an approver
of the current step — raises before anything is written, with a message in the user's language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.approvals.models import (
    ActionKind,
    ApprovalAction,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStep,
    ApproverKind,
    RequestStatus,
    StepMode,
    StepStatus,
)
from guanxi.framework import conditions
from guanxi.framework.events import emit
from guanxi.framework.notify import in_language_of, notify
from guanxi.framework.statemachine import Transition, transition
from guanxi.framework.write import save_object

MAX_CHAIN = 20  # manager chains longer than this are a loop in the data


class ApprovalConflict(ValidationError):
    """The request is not in a state where this action makes sense (HTTP 409): already decided,
    already approved by this user."""


# --- who approves ---------------------------------------------------------------------------------
def manager_of(user: Any) -> Any:
    """The user's manager: their direct manager, else the manager of their department or of the
    nearest department above it that is someone else. None at the top of the company."""
    if user is None:
        return None
    if user.manager_id and user.manager_id != user.pk and user.manager.is_active:
        return user.manager
    department = user.department
    for _hop in range(MAX_CHAIN):
        if department is None:
            return None
        manager = department.manager
        if manager is not None and manager.pk != user.pk and manager.is_active:
            return manager
        department = department.parent
    return None


def resolve_approvers(spec: dict[str, Any], submitter: Any) -> list[Any]:
    """The active users a flow step names, for this submitter."""
    users = get_user_model().objects.filter(is_active=True)
    kind = spec["approvers"]
    if kind == ApproverKind.MANAGER:
        found = manager_of(submitter)
        return [found] if found else []
    if kind == ApproverKind.MANAGER2:
        found = manager_of(manager_of(submitter))
        return [found] if found else []
    if kind == ApproverKind.ROLE:
        from guanxi.approvals.models.flows import role_queryset

        return list(users.filter(roles__in=role_queryset(spec.get("role", ""))).distinct().order_by("pk"))
    return list(users.filter(pk__in=spec.get("users") or []).order_by("pk"))


# --- matching -----------------------------------------------------------------------------------------
def matching_flow(obj: models.Model, transition_name: str) -> ApprovalFlow | None:
    """The first active flow of this document type and transition whose condition ``obj`` meets."""
    flows = ApprovalFlow.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), transition=transition_name, is_active=True
    ).order_by("priority", "pk")
    for flow in flows:
        if conditions.is_empty(flow.condition) or conditions.matches(flow.condition, obj, user=None):
            return flow
    return None


def _json_ready(inputs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        out[name] = value
    return out


# --- submit -------------------------------------------------------------------------------------------
def submit_for_approval(obj: Any, t: Transition, actor: Any, inputs: dict[str, Any]) -> Any:
    """The state machines' approval handler (``set_approval_handler``), called by ``transition()``
    inside its transaction with the document's row locked.

    Without a matching flow the transition simply happens; otherwise a pending request is filed
    (the document stays where it is, locked) and the first step's approvers are told."""
    flow = matching_flow(obj, t.name)
    if flow is None:
        transition(obj, t.name, actor=actor, approved=True, **inputs)
        return None
    if actor is None or not getattr(actor, "pk", None):
        raise ValidationError({"transition": [_("An approval needs a signed-in submitter.")]})
    return file_request(obj, flow, t, actor=actor, inputs=inputs)


def file_request(obj: Any, flow: ApprovalFlow, t: Transition, *, actor: Any, inputs: dict[str, Any]) -> Any:
    now = timezone.now()
    request = save_object(
        ApprovalRequest(
            flow=flow,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            transition=t.name,
            transition_label=str(t.label or t.name)[:100],
            inputs=_json_ready(inputs),
            submitter=actor,
            department_id=actor.department_id,
        ),
        actor=actor,
        check_visible=False,
    )
    _record(request, None, actor, ActionKind.SUBMITTED)
    for index, spec in enumerate(flow.steps):
        _build_step(request, flow, index, spec, actor)
    _advance(request, now)
    return request


def _build_step(
    request: ApprovalRequest, flow: ApprovalFlow, index: int, spec: dict[str, Any], submitter: Any
) -> None:
    approvers = resolve_approvers(spec, submitter)
    step = ApprovalStep(
        request=request,
        index=index,
        name=spec.get("name") or str(ApproverKind(spec["approvers"]).label),
        name_en=spec.get("name_en", ""),
        mode=spec.get("mode", StepMode.ANY),
        escalate=flow.escalate,
    )
    reason = ""
    if not approvers:
        if spec["approvers"] in (ApproverKind.MANAGER, ApproverKind.MANAGER2):
            reason = _("No manager above the submitter: skipped.")
        else:
            raise ValidationError(
                {
                    "transition": [
                        _("No one can approve step “%(step)s” of “%(flow)s”: ask an administrator.")
                        % {"step": step, "flow": flow}
                    ]
                }
            )
    elif submitter in approvers and (step.mode == StepMode.ANY or len(approvers) == 1):
        reason = _("The submitter approves this step: skipped.")
    else:
        approvers = [u for u in approvers if u.pk != submitter.pk]
    step.status = StepStatus.SKIPPED if reason else StepStatus.WAITING
    if reason:
        step.decided_at = timezone.now()
    save_object(step, actor=submitter, check_visible=False)
    step.approvers.set(approvers)
    if reason:
        _record(request, step, None, ActionKind.SKIPPED, reason)
        emit("approvalrequest.step_skipped", request, step=index, reason=reason)


def _advance(request: ApprovalRequest, now: dt.datetime) -> None:
    """Start the next waiting step, or complete the request when none is left."""
    step = request.steps.filter(status=StepStatus.WAITING).order_by("index").first()
    if step is None:
        _complete(request)
        return
    flow = request.flow
    step.status = StepStatus.PENDING
    step.started_at = now
    if flow is not None and flow.deadline_hours:
        step.due_at = now + dt.timedelta(hours=flow.deadline_hours)
        remind = flow.remind_hours if flow.remind_hours is not None else flow.deadline_hours / 2
        step.remind_at = now + dt.timedelta(hours=remind)
    save_object(step, actor=None, check_visible=False)
    emit("approvalrequest.step_started", request, step=step.index, approvers=_ids(step.approvers.all()))
    for user in step.approvers.all():
        with in_language_of(user):
            notify(
                user,
                _("Please approve: %(action)s · %(document)s")
                % {"action": request.transition_label, "document": request.object_repr},
                body=_("Submitted by %(submitter)s. Step: %(step)s.")
                % {"submitter": request.submitter or "—", "step": step},
                url=request.get_absolute_url(),
                level="warning",
                actor=request.submitter,
            )


def _complete(request: ApprovalRequest) -> None:
    """Every step is approved (or skipped): the request is approved and the document moves on."""
    transition(request, "approve", actor=None)
    _record(request, None, None, ActionKind.COMPLETED)
    model = request.content_type.model_class()
    assert model is not None  # a request's document type is an installed model
    document = model._base_manager.get(pk=request.object_id)
    # The decision is the authority: the submitter's right to the transition was checked when it
    # was submitted, and approvers need not hold "change" on the document themselves.
    transition(document, request.transition, actor=None, approved=True, **request.inputs)
    if request.submitter is not None:
        with in_language_of(request.submitter):
            notify(
                request.submitter,
                _("Approved: %(action)s · %(document)s")
                % {"action": request.transition_label, "document": request.object_repr},
                url=_document_url(document) or request.get_absolute_url(),
                level="success",
            )


# --- acting -------------------------------------------------------------------------------------------
def _locked(request: ApprovalRequest) -> ApprovalRequest:
    return (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("flow", "submitter")
        .get(pk=request.pk)
    )


def _refuse_not_pending(request: ApprovalRequest) -> None:
    if request.status != RequestStatus.PENDING:
        raise ApprovalConflict(
            _("This approval is no longer pending: it was %(status)s.")
            % {"status": request.get_status_display().lower()}
        )


def current_step(request: ApprovalRequest) -> ApprovalStep | None:
    return request.steps.filter(status=StepStatus.PENDING).order_by("index").first()


def _step_for_approver(request: ApprovalRequest, actor: Any) -> ApprovalStep:
    """The current step, if ``actor`` may act on it now; otherwise the refusal."""
    _refuse_not_pending(request)
    step = current_step(request)
    if step is None:  # cannot happen for a pending request; refuse rather than guess
        raise ApprovalConflict(_("This approval has no open step."))
    acted = ApprovalAction.objects.filter(request=request, actor=actor, kind=ActionKind.APPROVED)
    if acted.filter(step=step).exists():
        raise ApprovalConflict(_("You have already approved this step."))
    if not step.approvers.filter(pk=actor.pk).exists():
        if acted.exists():
            raise ApprovalConflict(
                _("You have already approved this request; it now waits for %(approvers)s.")
                % {"approvers": "、".join(str(u) for u in step.approvers.all())}
            )
        raise PermissionDenied(_("You are not an approver of this request's current step."))
    return step


def may_act(request: ApprovalRequest, user: Any) -> bool:
    """Whether ``user`` may approve or reject ``request`` now (for buttons)."""
    try:
        _step_for_approver(request, user)
    except (ValidationError, PermissionDenied):
        return False
    return True


def approve_request(request: ApprovalRequest, *, actor: Any, comment: str = "") -> ApprovalRequest:
    """Approve the current step as ``actor``; the last approval performs the document's transition."""
    comment = _clean_comment(comment)
    with transaction.atomic():
        request = _locked(request)
        step = _step_for_approver(request, actor)
        now = timezone.now()
        _record(request, step, actor, ActionKind.APPROVED, comment)
        emit("approvalrequest.step_approved", request, step=step.index, by=actor.pk, comment=comment)
        if step.mode == StepMode.ALL:
            waiting = step.approvers.exclude(
                pk__in=ApprovalAction.objects.filter(step=step, kind=ActionKind.APPROVED).values("actor_id")
            )
            if waiting.exists():
                return request
        step.status = StepStatus.APPROVED
        step.decided_at = now
        save_object(step, actor=actor, check_visible=False)
        _advance(request, now)
    request.refresh_from_db()
    return request


def reject_request(request: ApprovalRequest, *, actor: Any, comment: str) -> ApprovalRequest:
    """Reject as an approver of the current step: the document returns to its submitter, unlocked."""
    comment = _clean_comment(comment)
    if not comment:
        raise ValidationError({"comment": [_("Say why you reject it: the submitter reads this.")]})
    with transaction.atomic():
        request = _locked(request)
        step = _step_for_approver(request, actor)
        now = timezone.now()
        step.status = StepStatus.REJECTED
        step.decided_at = now
        save_object(step, actor=actor, check_visible=False)
        _cancel_open_steps(request)
        _record(request, step, actor, ActionKind.REJECTED, comment)
        transition(request, "reject", actor=None, comment=comment)
        if request.submitter is not None:
            with in_language_of(request.submitter):
                notify(
                    request.submitter,
                    _("Rejected: %(action)s · %(document)s")
                    % {"action": request.transition_label, "document": request.object_repr},
                    body=_("%(approver)s: %(comment)s") % {"approver": actor, "comment": comment},
                    url=request.get_absolute_url(),
                    level="error",
                    actor=actor,
                )
    request.refresh_from_db()
    return request


def withdraw_request(request: ApprovalRequest, *, actor: Any, comment: str = "") -> ApprovalRequest:
    """The submitter takes the request back; the document is unlocked and stays where it was."""
    comment = _clean_comment(comment)
    with transaction.atomic():
        request = _locked(request)
        _refuse_not_pending(request)
        if request.submitter_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the submitter can withdraw this request."))
        step = current_step(request)
        waiting_on = list(step.approvers.all()) if step is not None else []
        _cancel_open_steps(request)
        _record(request, step, actor, ActionKind.WITHDRAWN, comment)
        transition(request, "withdraw", actor=None, comment=comment)
        for user in waiting_on:
            with in_language_of(user):
                notify(
                    user,
                    _("Withdrawn: %(action)s · %(document)s")
                    % {"action": request.transition_label, "document": request.object_repr},
                    url=request.get_absolute_url(),
                    actor=actor,
                )
    request.refresh_from_db()
    return request


def _cancel_open_steps(request: ApprovalRequest) -> None:
    for step in request.steps.filter(status__in=[StepStatus.PENDING, StepStatus.WAITING]):
        step.status = StepStatus.CANCELLED
        save_object(step, actor=None, check_visible=False)


# --- deadlines ----------------------------------------------------------------------------------------
def process_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind approvers whose step is due soon and escalate overdue steps to their managers.

    Idempotent: a step is reminded once and escalated once (``reminded_at`` / ``escalated_at``).
    """
    now = now or timezone.now()
    done = {"reminded": 0, "escalated": 0}
    open_steps = ApprovalStep.objects.filter(status=StepStatus.PENDING, request__status=RequestStatus.PENDING)
    for step_id in open_steps.filter(remind_at__lte=now, reminded_at__isnull=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            step = ApprovalStep.objects.select_for_update().select_related("request").get(pk=step_id)
            if step.reminded_at is not None or step.status != StepStatus.PENDING:
                continue
            step.reminded_at = now
            save_object(step, actor=None, check_visible=False)
            request = step.request
            _record(request, step, None, ActionKind.REMINDED)
            emit("approvalrequest.reminded", request, step=step.index)
            for user in _not_yet_acted(step):
                with in_language_of(user):
                    notify(
                        user,
                        _("Reminder: %(action)s · %(document)s waits for your approval")
                        % {"action": request.transition_label, "document": request.object_repr},
                        url=request.get_absolute_url(),
                        level="warning",
                    )
            done["reminded"] += 1
    overdue = open_steps.filter(due_at__lte=now, escalated_at__isnull=True, escalate=True)
    for step_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            step = ApprovalStep.objects.select_for_update().select_related("request").get(pk=step_id)
            if step.escalated_at is not None or step.status != StepStatus.PENDING:
                continue
            _escalate(step, now)
            done["escalated"] += 1
    return done


def _not_yet_acted(step: ApprovalStep) -> list[Any]:
    acted = ApprovalAction.objects.filter(step=step, kind=ActionKind.APPROVED).values("actor_id")
    return list(step.approvers.exclude(pk__in=acted).select_related("manager", "department"))


def _escalate(step: ApprovalStep, now: dt.datetime) -> None:
    """Add the managers of the approvers who have not acted to the step, and tell them."""
    request = step.request
    current = set(step.approvers.values_list("pk", flat=True))
    added: list[Any] = []
    for user in _not_yet_acted(step):
        manager = manager_of(user)
        if manager is not None and manager.pk not in current and manager.pk != request.submitter_id:
            current.add(manager.pk)
            added.append(manager)
    step.escalated_at = now
    save_object(step, actor=None, check_visible=False)
    step.approvers.add(*added)
    names = "、".join(str(u) for u in added)
    note = (
        _("Overdue: escalated to %(names)s.") % {"names": names}
        if added
        else _("Overdue: nobody above the approvers to escalate to.")
    )
    _record(request, step, None, ActionKind.ESCALATED, note)
    emit("approvalrequest.escalated", request, step=step.index, to=_ids(added))
    for user in added:
        with in_language_of(user):
            notify(
                user,
                _("Overdue approval escalated to you: %(action)s · %(document)s")
                % {"action": request.transition_label, "document": request.object_repr},
                url=request.get_absolute_url(),
                level="warning",
            )


# --- helpers ------------------------------------------------------------------------------------------
def _record(
    request: ApprovalRequest, step: ApprovalStep | None, actor: Any, kind: str, comment: str = ""
) -> None:
    save_object(
        ApprovalAction(request=request, step=step, actor=actor, kind=kind, comment=comment),
        actor=actor,
        check_visible=False,
    )


def _clean_comment(comment: Any) -> str:
    text = str(comment or "").strip()
    if len(text) > 2000:
        raise ValidationError({"comment": [_("Keep the comment under 2,000 characters.")]})
    return text


def _ids(users: Any) -> list[int]:
    return [u.pk for u in users]


def _document_url(document: Any) -> str:
    return document.get_absolute_url() or ""  # "" without a page: the request's page instead
