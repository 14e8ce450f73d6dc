"""Pages: 待我审批 (awaiting my approval), 我发起的 (submitted by me), 我已审批 (decided by me), one
request, and the actions.

Every read goes through ``ApprovalRequest.objects.restrict(user, "view")``: a request is read by
its submitter (and the scopes over them) and by the people named on its steps. The approve,
reject and withdraw posts answer with a message on the page they came from; a refusal changes
nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.approvals import services
from guanxi.approvals.access import label_requests
from guanxi.approvals.models import (
    ActionKind,
    ApprovalAction,
    ApprovalRequest,
    ApprovalStep,
    RequestStatus,
    StepStatus,
)
from guanxi.approvals.summary import label_amounts, summary_document, summary_for
from guanxi.framework.http import AuthedRequest

PER_PAGE = 25


def visible_requests(user: Any) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.restrict(user, "view")


def awaiting(user: Any) -> QuerySet[ApprovalRequest]:
    """Pending requests whose current step names ``user``, who has not approved it yet."""
    mine = ApprovalStep.objects.filter(status=StepStatus.PENDING, approvers=user).exclude(
        Exists(ApprovalAction.objects.filter(step=OuterRef("pk"), actor=user, kind=ActionKind.APPROVED))
    )
    return visible_requests(user).filter(status=RequestStatus.PENDING, pk__in=mine.values("request_id"))


def awaiting_count(user: Any) -> int:
    return awaiting(user).count()


DECISIONS = (ActionKind.APPROVED, ActionKind.REJECTED)


def with_my_decision(requests: QuerySet[ApprovalRequest], user: Any) -> QuerySet[ApprovalRequest]:
    """Those of ``requests`` on which ``user`` approved or rejected a step, newest decision first,
    each with ``my_decision`` (the kind) and ``my_decided_at`` of their latest decision."""
    mine = ApprovalAction.objects.filter(request=OuterRef("pk"), actor=user, kind__in=DECISIONS).order_by(
        "-created_at", "-pk"
    )
    return (
        requests.filter(Exists(mine))
        .annotate(
            my_decision=Subquery(mine.values("kind")[:1]),
            my_decided_at=Subquery(mine.values("created_at")[:1]),
        )
        .order_by("-my_decided_at", "-pk")
    )


def decided(user: Any) -> QuerySet[ApprovalRequest]:
    """我已审批: the requests ``user`` may read on which they took a decision (``with_my_decision``)."""
    return with_my_decision(visible_requests(user), user)


def decision_label(kind: str) -> str:
    """ "Approved" / "Rejected" (已同意 / 已驳回) for a decision's kind."""
    return str(ActionKind(kind).label) if kind in ActionKind.values else kind


def _page(request: AuthedRequest, rows: QuerySet, order: tuple[str, ...] = ("-created_at", "-pk")) -> Any:
    rows = rows.select_related("submitter", "content_type").order_by(*order)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # labelled once (``label_requests``), then rendered
    return page


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    page = _page(request, awaiting(request.user))
    label_requests(request.user, page.object_list)
    label_amounts(request.user, page.object_list)
    return render(request, "approvals/list.html", {"page": page, "box": "inbox"})


@login_required
def submitted(request: AuthedRequest) -> HttpResponse:
    page = _page(request, visible_requests(request.user).filter(submitter=request.user))
    label_requests(request.user, page.object_list)
    label_amounts(request.user, page.object_list)
    return render(request, "approvals/list.html", {"page": page, "box": "submitted"})


@login_required
def decided_by_me(request: AuthedRequest) -> HttpResponse:
    page = _page(request, decided(request.user), order=("-my_decided_at", "-pk"))
    label_requests(request.user, page.object_list)
    label_amounts(request.user, page.object_list)
    for row in page.object_list:
        row.my_decision_label = decision_label(row.my_decision)
    return render(request, "approvals/list.html", {"page": page, "box": "decided"})


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    approval = get_object_or_404(
        visible_requests(request.user).select_related("submitter", "flow", "content_type"), pk=pk
    )
    label_requests(request.user, [approval])
    steps = list(approval.steps.prefetch_related("approvers").order_by("index"))
    actions = list(approval.actions.select_related("actor", "step").order_by("created_at", "pk"))
    # What is being approved: the document's declared summary, read through the reader's field
    # rules, if it is theirs to read (``summary_documents``: their scope, or an approver of the
    # request, after deciding too); the link to the record only when they may open it.
    document = summary_document(request.user, approval)
    document_url = document.get_absolute_url() if document is not None and document.record_viewable else ""
    context = {
        "approval": approval,
        "summary": summary_for(request.user, document),
        "steps": steps,
        "actions": actions,
        "document_url": document_url,
        "can_decide": services.may_act(approval, request.user),
        "can_withdraw": approval.is_pending and approval.submitter_id == request.user.pk,
    }
    return render(request, "approvals/detail.html", context)


def _back(request: AuthedRequest, approval: ApprovalRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return HttpResponseRedirect(target or approval.get_absolute_url())


def _act(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    approval = get_object_or_404(visible_requests(request.user), pk=pk)
    comment = request.POST.get("comment", "")
    try:
        if verb == "approve":
            services.approve_request(approval, actor=request.user, comment=comment)
            messages.success(request, _("Approved."))
        elif verb == "reject":
            services.reject_request(approval, actor=request.user, comment=comment)
            messages.success(request, _("Rejected: the submitter has been told."))
        else:
            services.withdraw_request(approval, actor=request.user, comment=comment)
            messages.success(request, _("Withdrawn."))
    except (ValidationError, PermissionDenied) as refused:
        texts = refused.messages if isinstance(refused, ValidationError) else [str(refused)]
        for text in texts:
            messages.error(request, text)
    return _back(request, approval)


@login_required
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "approve")


@login_required
@require_POST
def reject(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reject")


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "withdraw")
