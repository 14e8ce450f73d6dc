"""``/api/v1/approvals/requests/`` (``?box=awaiting`` 待我审批, ``?box=submitted`` 我发起的,
``?box=decided`` 我已审批, newest decision first) with
``POST …/{id}/approve/``, ``…/reject/`` (a comment is required) and ``…/withdraw/``; and
``/api/v1/approvals/flows/``, the flows, for whoever holds the grant on them (administrators).

Refusals: 409 when the request is no longer pending or the caller already approved, 403 when the
caller is not an approver of the current step (or, withdrawing, not the submitter), 400 for a
missing comment. Nothing changes on a refusal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.approvals import services
from guanxi.approvals.api.serializers import (
    ApprovalDecisionSerializer,
    ApprovalFlowSerializer,
    ApprovalRequestDetailSerializer,
    ApprovalRequestSerializer,
)
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.framework.api.errors import Conflict
from guanxi.framework.api.viewsets import EntityViewSet, ReadOnlyEntityViewSet

BOXES = ("awaiting", "submitted", "decided")


class ApprovalFlowViewSet(EntityViewSet):
    queryset = ApprovalFlow.objects.select_related("content_type")
    serializer_class = ApprovalFlowSerializer
    filterset_fields = ["transition", "is_active"]


@extend_schema(
    parameters=[
        OpenApiParameter(
            "box",
            str,
            enum=BOXES,
            description=(
                "awaiting: 待我审批; submitted: 我发起的; decided: 我已审批 (the requests on which the caller"
                " approved or rejected a step, newest decision first, with my_decision)"
            ),
        )
    ]
)
class ApprovalRequestViewSet(ReadOnlyEntityViewSet):
    queryset = ApprovalRequest.objects.select_related("submitter", "content_type").prefetch_related(
        "steps__approvers"
    )
    serializer_class = ApprovalRequestSerializer
    filterset_fields = ["status"]
    required_action: str | None = None  # per action (ModelActionPermission reads it)

    def get_serializer_class(self) -> Any:
        # the summary costs a few queries: on one request (and the answers of its actions), not a page
        return ApprovalRequestSerializer if self.action == "list" else ApprovalRequestDetailSerializer

    def get_queryset(self) -> QuerySet:
        from guanxi.approvals.views import awaiting, with_my_decision

        queryset = super().get_queryset()
        box = self.request.query_params.get("box", "")
        if self.action != "list" or not box:
            return queryset
        if box not in BOXES:
            raise serializers.ValidationError(
                {"box": [_("Use one of: %(boxes)s.") % {"boxes": ", ".join(BOXES)}]}
            )
        if box == "awaiting":
            return queryset.filter(pk__in=awaiting(self.request.user).values("pk"))
        if box == "decided":
            return with_my_decision(queryset, self.request.user)
        return queryset.filter(submitter=self.request.user)

    def _decide(self, request: Any, verb: str) -> Response:
        approval = self.get_object()
        body = ApprovalDecisionSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        comment = body.validated_data.get("comment", "")
        use_cases: dict[str, Any] = {
            "approve": services.approve_request,
            "reject": services.reject_request,
            "withdraw": services.withdraw_request,
        }
        use_case = use_cases[verb]
        try:
            use_case(approval, actor=request.user, comment=comment)
        except services.ApprovalConflict as exc:
            raise Conflict(" ".join(exc.messages)) from None
        approval.refresh_from_db()
        return Response(self.get_serializer(approval).data)

    @extend_schema(request=ApprovalDecisionSerializer, summary="Approve the current step")
    @action(detail=True, methods=["post"], required_action="view")
    def approve(self, request: Any, pk: Any = None) -> Response:
        return self._decide(request, "approve")

    @extend_schema(request=ApprovalDecisionSerializer, summary="Reject (with a comment)")
    @action(detail=True, methods=["post"], required_action="view")
    def reject(self, request: Any, pk: Any = None) -> Response:
        return self._decide(request, "reject")

    @extend_schema(request=ApprovalDecisionSerializer, summary="Withdraw (the submitter)")
    @action(detail=True, methods=["post"], required_action="view")
    def withdraw(self, request: Any, pk: Any = None) -> Response:
        return self._decide(request, "withdraw")
