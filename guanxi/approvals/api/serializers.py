"""API shapes: approval requests (read-only; acted on with their actions) and flows (admin CRUD)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.approvals.access import label_requests
from guanxi.approvals.declare import APPROVABLE
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
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


class ApprovalRequestSerializer(serializers.ModelSerializer):
    """A request with its steps; ``can_decide`` / ``can_withdraw`` for the caller."""

    document = serializers.SerializerMethodField()
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
            "steps",
            "can_decide",
            "can_withdraw",
        ]
        read_only_fields = fields

    def get_document(self, obj: ApprovalRequest) -> dict[str, Any]:
        return {
            "type": f"{obj.content_type.app_label}.{obj.content_type.model}",
            "id": obj.object_id,
            # the stored label under the caller's field rules (``access.label_requests``)
            "display": page_once(self, obj, "reader_label", lambda rows: label_requests(self._user(), rows)),
        }

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
        from guanxi.approvals.services import may_act

        user = self._user()
        return bool(user is not None and obj.is_pending and may_act(obj, user))

    def get_can_withdraw(self, obj: ApprovalRequest) -> bool:
        user = self._user()
        return bool(user is not None and obj.is_pending and obj.submitter_id == user.pk)


class ApprovalDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
