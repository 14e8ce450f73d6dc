"""API shapes: approval requests (read-only; acted on with their actions) and flows (admin CRUD)."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from guanxi.approvals.access import label_requests
from guanxi.approvals.declare import APPROVABLE
from guanxi.approvals.models import ActionKind, ApprovalFlow, ApprovalRequest
from guanxi.approvals.summary import label_amounts, summary_document, summary_for
from guanxi.framework.api.fields import page_once
from guanxi.framework.api.serializers import EntitySerializer


class DocumentTypeField(serializers.CharField):
    """A document type as ``app_label.model`` (``testapp.requisition``); approvable types only."""

    def to_representation(self, value: ContentType) -> str:  # type: ignore[override]
        return f"{value.app_label}.{value.model}"

    def to_internal_value(self, data: Any) -> ContentType:  # type: ignore[override]
        try:
            model = apps.get_model(str(data))
        except (LookupError, ValueError):
            model = None
        if model is None or model not in APPROVABLE:
            raise serializers.ValidationError(
                _("“%(value)s” is not a document type with approvals.") % {"value": data}
            )
        return ContentType.objects.get_for_model(model)


class ApprovalFlowSerializer(EntitySerializer):
    content_type = DocumentTypeField()
    key = serializers.CharField(read_only=True)

    class Meta(EntitySerializer.Meta):
        model = ApprovalFlow
        fields = [
            "name",
            "name_en",
            "content_type",
            "transition",
            "condition",
            "steps",
            "priority",
            "is_active",
            "deadline_hours",
            "remind_hours",
            "escalate",
            "key",
        ]


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "display": str(user)}


def _plain(value: Any) -> Any:
    """A summary value as JSON: numbers and text as they are, a date as ISO 8601, anything else
    (a lazy label, a Decimal already formatted by the summary) as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


MY_DECISION = inline_serializer(
    "ApprovalMyDecision",
    fields={
        "kind": serializers.ChoiceField(choices=[ActionKind.APPROVED, ActionKind.REJECTED]),
        "display": serializers.CharField(),
        "at": serializers.DateTimeField(),
    },
    allow_null=True,
)
SUMMARY = inline_serializer(
    "ApprovalSummary",
    fields={
        "rows": inline_serializer(
            "ApprovalSummaryRow",
            fields={"label": serializers.CharField(), "value": serializers.JSONField(allow_null=True)},
            many=True,
        ),
        "lines": inline_serializer(
            "ApprovalSummaryLines",
            fields={
                "title": serializers.CharField(),
                "columns": inline_serializer(
                    "ApprovalSummaryColumn",
                    fields={
                        "name": serializers.CharField(),
                        "label": serializers.CharField(),
                        "numeric": serializers.BooleanField(),
                    },
                    many=True,
                ),
                "rows": serializers.ListField(child=serializers.ListField(child=serializers.JSONField())),
                "more": serializers.IntegerField(help_text="Rows beyond those listed."),
            },
            allow_null=True,
        ),
        "url": serializers.CharField(help_text="The record's page; empty when the caller may not open it."),
    },
    allow_null=True,
)


def _mark_decidable(user: Any, rows: list[ApprovalRequest]) -> None:
    """``caller_may_decide`` on each row: whether it is in the caller's 待我审批 (``awaiting``: the
    pending step names them and they have not approved it — what ``services.may_act`` checks per
    request), read for the page in one query instead of three per pending row."""
    from guanxi.approvals.views import awaiting

    pending = [row.pk for row in rows if row.is_pending]
    mine = set(awaiting(user).filter(pk__in=pending).values_list("pk", flat=True)) if pending else set()
    for row in rows:
        row.caller_may_decide = row.pk in mine  # type: ignore[attr-defined]


class ApprovalRequestSerializer(serializers.ModelSerializer):
    """A request with its steps; ``can_decide`` / ``can_withdraw`` for the caller; ``amount``, its
    document's declared key amount as the caller may read it (masked under a field rule; null when
    hidden, not theirs to read, or not declared — ``summary.label_amounts``, one query per document
    type of the page); ``my_decision`` in ``?box=decided``."""

    document = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()
    my_decision = serializers.SerializerMethodField()
    submitter = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    can_decide = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "url",
            "document",
            "transition",
            "transition_label",
            "status",
            "status_display",
            "comment",
            "submitter",
            "created_at",
            "decided_at",
            "amount",
            "steps",
            "can_decide",
            "can_withdraw",
            "my_decision",
        ]
        read_only_fields = fields

    def get_document(self, obj: ApprovalRequest) -> dict[str, Any]:
        return {
            "type": f"{obj.content_type.app_label}.{obj.content_type.model}",
            "id": obj.object_id,
            # the stored label under the caller's field rules (``access.label_requests``)
            "display": page_once(self, obj, "reader_label", lambda rows: label_requests(self._user(), rows)),
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_amount(self, obj: ApprovalRequest) -> str | None:
        amount = page_once(self, obj, "key_amount", lambda rows: label_amounts(self._user(), rows))
        return str(amount) if amount else None

    @extend_schema_field(MY_DECISION)
    def get_my_decision(self, obj: ApprovalRequest) -> dict[str, Any] | None:
        kind = getattr(obj, "my_decision", None)  # annotated by ``views.decided`` (box=decided)
        if not kind:
            return None
        from guanxi.approvals.views import decision_label

        return {"kind": kind, "display": decision_label(kind), "at": obj.my_decided_at}  # type: ignore[attr-defined]

    def get_submitter(self, obj: ApprovalRequest) -> dict[str, Any] | None:
        return _person(obj.submitter)

    def get_steps(self, obj: ApprovalRequest) -> list[dict[str, Any]]:
        return [
            {
                "index": step.index,
                "name": str(step),
                "mode": step.mode,
                "status": step.status,
                "approvers": [_person(u) for u in step.approvers.all()],
                "due_at": step.due_at,
            }
            for step in obj.steps.all()
        ]

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_can_decide(self, obj: ApprovalRequest) -> bool:
        user = self._user()
        if user is None or not obj.is_pending:
            return False
        return page_once(self, obj, "caller_may_decide", lambda rows: _mark_decidable(user, rows))

    def get_can_withdraw(self, obj: ApprovalRequest) -> bool:
        user = self._user()
        return bool(user is not None and obj.is_pending and obj.submitter_id == user.pk)


class ApprovalRequestDetailSerializer(ApprovalRequestSerializer):
    """One request, with ``summary``: what is being approved, as on the request's page — present
    only when the caller may read it (``summary.summary_documents``: their scope, or an approver of
    the request, after deciding too), every value through their field rules; null otherwise."""

    summary = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSerializer.Meta):
        fields = [*ApprovalRequestSerializer.Meta.fields, "summary"]
        read_only_fields = fields

    @extend_schema_field(SUMMARY)
    def get_summary(self, obj: ApprovalRequest) -> dict[str, Any] | None:
        user = self._user()
        summary = summary_for(user, summary_document(user, obj)) if user is not None else None
        if summary is None:
            return None
        lines = summary.lines
        return {
            "rows": [{"label": str(label), "value": _plain(value)} for label, value in summary.rows],
            "lines": None
            if lines is None
            else {
                "title": lines.title,
                "columns": [{"name": c.name, "label": c.label, "numeric": c.numeric} for c in lines.columns],
                "rows": [[_plain(cell) for cell in row] for row in lines.rows],
                "more": lines.more,
            },
            "url": summary.url,
        }


class ApprovalDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
