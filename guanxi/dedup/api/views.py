"""``/api/v1/dedup/``: ``candidates/?type=&reason=&min_score=`` (the queue, pairs whose both records
the caller may see), ``candidates/dismiss/`` (``{"type", "ids"}``: not duplicates, all or none)
and ``check/`` (``{"type", "values"}``: the entry-time "possible duplicates").

A type the caller may not review is a 403 (``check/``: one who may neither add, change nor
review); an id outside the caller's queue refuses the whole
dismissal with a 400 naming ``ids``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from guanxi.dedup.api.serializers import (
    CandidateSerializer,
    CheckSerializer,
    DismissSerializer,
    PossibleDuplicateSerializer,
)
from guanxi.dedup.services import queue
from guanxi.dedup.services.entry import may_check, normalized_values, possible_duplicates
from guanxi.dedup.services.rules import looked_for, model_for
from guanxi.framework import fieldaccess
from guanxi.framework.api.permissions import TokenScopePermission

PAGE = 50


def _type(value: Any) -> tuple[str, Any]:
    label = str(value or "customers.customer").lower()
    if not looked_for(label):
        raise ValidationError({"type": ["Duplicates are not looked for in this type."]})
    return label, model_for(label)


def _ref(obj: Any, user: Any) -> dict[str, Any]:
    return {"id": obj.pk, "display": fieldaccess.label(user, obj), "url": obj.get_absolute_url()}


class DuplicatesViewSet(viewsets.ViewSet):
    """Duplicate candidates, their dismissal, and the entry-time check."""

    permission_classes = [TokenScopePermission]
    app_label = "dedup"  # a token's scopes are checked against this app

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, description="app_label.model (default customers.customer)"),
            OpenApiParameter("reason", str, description="a rule's field: phone, email, name…"),
            OpenApiParameter("min_score", float, description="least score, 0–1"),
            OpenApiParameter("page", int),
        ],
        responses={200: CandidateSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def candidates(self, request: Any) -> Response:
        label, model = _type(request.query_params.get("type"))
        if not queue.may_review(request.user, model):
            raise PermissionDenied
        try:
            min_score = (
                float(request.query_params["min_score"]) if "min_score" in request.query_params else None
            )
        except ValueError:
            raise ValidationError({"min_score": ["A number between 0 and 1."]}) from None
        reason = request.query_params.get("reason", "")
        if reason and reason in queue.hidden_reasons(request.user, model):
            raise ValidationError({"reason": [_("You may not filter on a field that is hidden from you.")]})
        rows = queue.filter_candidates(
            queue.visible_candidates(request.user, model),
            reason=reason,
            min_score=min_score,
            user=request.user,
            model=model,
        ).order_by("-score", "left_id", "right_id")
        page = Paginator(rows, PAGE).get_page(request.query_params.get("page"))
        body = [
            {
                "id": row.candidate.pk,
                "type": label,
                "left": _ref(row.left, request.user),
                "right": _ref(row.right, request.user),
                "score": row.candidate.score,
                "reasons": row.reasons,
                "found_at": row.candidate.found_at,
            }
            for row in queue.rows_for(request.user, model, page.object_list)
        ]
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "results": CandidateSerializer(body, many=True).data,
            }
        )

    @extend_schema(request=DismissSerializer, responses={200: None})
    @action(detail=False, methods=["post"], url_path="candidates/dismiss")
    def dismiss(self, request: Any) -> Response:
        data = DismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _label, model = _type(data.validated_data["type"])
        count = queue.dismiss_candidates(model, data.validated_data["ids"], actor=request.user)
        return Response({"dismissed": count}, status=status.HTTP_200_OK)

    @extend_schema(request=CheckSerializer, responses={200: PossibleDuplicateSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def check(self, request: Any) -> Response:
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        label, model = _type(data.validated_data["type"])
        if not may_check(request.user, model):
            raise PermissionDenied
        found = possible_duplicates(
            label,
            normalized_values(label, data.validated_data["values"]),
            user=request.user,
            exclude_pk=data.validated_data.get("exclude"),
        )
        body = [
            {
                "record": _ref(hit.obj, request.user),
                "score": hit.score,
                "reasons": queue.reason_texts(request.user, model, hit.reasons, hit.obj),
            }
            for hit in found
        ]
        return Response(PossibleDuplicateSerializer(body, many=True).data)
