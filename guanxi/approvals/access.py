"""The engine's hooks into the platform: the write guard (lock) and row access (approvers read).

* **Lock** — a record with a pending request refuses every edit, delete and other transition
  through the write path's guard (``register_write_guard``), with ``RecordLocked`` (HTTP 409 on the
  API, the message on the page). Approving applies the waiting transition with ``approved=True``,
  which the guard lets through.
* **Approvers read** — the current approvers of a pending request see the document even outside
  their data scope, read-only: the extension answers only for ``view``
  (``register_row_access``; the policy ORs it into ``restrict(user, "view")``).
* **Requests** — a request is read by its submitter and the scopes over them (owner = submitter),
  and by everyone named on one of its steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from guanxi.framework.access import register_row_access
from guanxi.framework.fieldaccess import label
from guanxi.framework.write import RecordLocked, register_write_guard


def pending_request_for(obj: models.Model) -> Any:
    """The pending request of ``obj``, or None (one indexed query)."""
    from guanxi.approvals.models import ApprovalRequest, RequestStatus

    if obj.pk is None:
        return None
    return (
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            status=RequestStatus.PENDING,
        )
        .select_related("submitter")
        .first()
    )


def locked_guard(instance: models.Model, actor: Any, action: str) -> None:
    """Refuse any write of a record whose approval is pending."""
    if action == "create":
        return
    request = pending_request_for(instance)
    if request is None:
        return
    raise _locked(request, label(actor, instance))


def _locked(request: Any, document: str) -> RecordLocked:
    """The refusal, naming the document as the writer may read it (``fieldaccess.label``: the
    request's stored ``object_repr`` was written under no field rule)."""
    return RecordLocked(
        _(
            "“%(document)s” is waiting for approval (%(action)s, submitted by %(submitter)s): it "
            "cannot be changed until the approval is decided or withdrawn."
        )
        % {
            "document": document,
            "action": request.action_label,
            "submitter": request.submitter or "—",
        }
    )


def locked_guard_many(instances: list[models.Model], actor: Any, action: str) -> dict[int, ValidationError]:
    """``locked_guard`` for many rows of one model at once (the bulk paths): one query per
    thousand rows; ``{position: refusal}`` for every row whose approval is pending."""
    from guanxi.approvals.models import ApprovalRequest, RequestStatus

    if action == "create" or not instances:
        return {}
    positions: dict[Any, list[int]] = {}
    for position, instance in enumerate(instances):
        if instance.pk is not None:
            positions.setdefault(instance.pk, []).append(position)
    ct = ContentType.objects.get_for_model(type(instances[0]))
    ids = list(positions)
    refused: dict[int, ValidationError] = {}
    for start in range(0, len(ids), 1000):
        pending = (
            ApprovalRequest.objects.filter(
                content_type=ct, object_id__in=ids[start : start + 1000], status=RequestStatus.PENDING
            )
            .select_related("submitter")
            .order_by("pk")
        )
        for request in pending:
            for position in positions.get(request.object_id, ()):
                if position not in refused:
                    refused[position] = _locked(request, label(actor, instances[position]))
    return refused


def approver_access(model: type[models.Model]) -> Any:
    """The row-access extension for one approvable model: its pending documents I must approve."""

    def extension(user: Any, action: str) -> models.Q | None:
        from guanxi.approvals.models import ApprovalStep, RequestStatus, StepStatus

        if action != "view" or not getattr(user, "pk", None):
            return None
        awaiting = ApprovalStep.objects.filter(
            status=StepStatus.PENDING,
            approvers=user,
            request__status=RequestStatus.PENDING,
            request__content_type=ContentType.objects.get_for_model(model),
        ).values("request__object_id")
        return models.Q(pk__in=awaiting)

    extension.__name__ = f"approver_access_{model._meta.label_lower}"
    return extension


_EXTENSIONS: dict[type[models.Model], Any] = {}


def enable(model: type[models.Model]) -> None:
    """Lock ``model``'s records under approval and open them to their approvers."""
    register_write_guard(model, locked_guard, bulk=locked_guard_many)
    if model not in _EXTENSIONS:
        _EXTENSIONS[model] = register_row_access(model, approver_access(model))


def request_approver_access(user: Any, action: str) -> models.Q | None:
    """Requests on whose steps ``user`` is named (any action the grant allows: read)."""
    from guanxi.approvals.models import ApprovalStep

    if action != "view" or not getattr(user, "pk", None):
        return None
    return models.Q(pk__in=ApprovalStep.objects.filter(approvers=user).values("request_id"))


def install() -> None:
    from guanxi.approvals.models import ApprovalRequest

    register_row_access(ApprovalRequest, request_approver_access)


def label_requests(user: Any, requests: Sequence[Any]) -> Sequence[Any]:
    """Set ``reader_label`` on each of ``requests``: its document's label as ``user`` may read it
    (``fieldaccess.stored_labels``) — the stored ``object_repr`` was written under no field rule,
    so a quote's title masked for the reader is masked here too. One query per document type for
    the page."""
    from guanxi.framework.fieldaccess import stored_labels

    labels = stored_labels(user, [(r.content_type_id, r.object_id, r.object_repr) for r in requests])
    for request, text in zip(requests, labels, strict=True):
        request.reader_label = text
    return requests
