"""Serializers of follow-ups and tasks. The record a follow-up or task is about is written as
``target_type`` (``"customers.customer"``) + ``target_id`` on creation and fixed afterwards."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.registry import followable
from guanxi.framework.access import can
from guanxi.framework.api.fields import BriefRelatedField, ContentTypeField
from guanxi.framework.api.serializers import EntitySerializer


class TargetMixin(serializers.Serializer):
    """Resolves ``target_type`` + ``target_id`` to a followable record the writer may view."""

    target_required = True

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = getattr(self, "instance", None)
        if instance is not None:
            for name in ("target_type", "target_id"):
                if name in attrs and attrs[name] != getattr(instance, name):
                    raise serializers.ValidationError({name: [_("The record cannot be changed afterwards.")]})
            return super().validate(attrs)
        ct, pk = attrs.get("target_type"), attrs.get("target_id")
        if ct is None and pk is None and not self.target_required:
            return super().validate(attrs)
        if ct is None:
            raise serializers.ValidationError({"target_type": [_("This field is required.")]})
        if pk is None:
            raise serializers.ValidationError({"target_id": [_("This field is required.")]})
        model = ct.model_class()
        if model is None or followable(model) is None:
            raise serializers.ValidationError(
                {"target_type": [_("Follow-ups and tasks can only be about customers, contacts or leads.")]}
            )
        user = self.context["request"].user
        target = model._default_manager.filter(pk=pk).first()
        if target is None or not can(user, "view", target):
            raise serializers.ValidationError(
                {"target_id": [_("No record with id %(pk)s exists, or you may not see it.") % {"pk": pk}]}
            )
        attrs = super().validate(attrs)
        attrs["_target"] = target
        return attrs


def active_users() -> Any:
    return get_user_model().objects.filter(is_active=True)


class FollowUpSerializer(TargetMixin, EntitySerializer):
    target_type = ContentTypeField()
    target_id = serializers.IntegerField(min_value=1)
    customer = BriefRelatedField(read_only=True)
    mentions = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=active_users())

    class Meta(EntitySerializer.Meta):
        model = FollowUp
        fields = [
            "kind", "occurred_at", "content", "outcome", "next_step", "next_follow_up_at", "place",
            "latitude", "longitude", "location_accuracy", "target_type", "target_id", "customer", "mentions",
        ]  # fmt: skip
        extra_kwargs = {"owner": {"read_only": True}, "department": {"read_only": True}}


class TaskSerializer(TargetMixin, EntitySerializer):
    """``status`` is set on creation (``"done"``: created, then completed) and afterwards changes
    only through ``POST …/{id}/transition/`` (``complete``, ``reopen``). A new ``due_at`` re-arms
    the reminder (``Task.before_write``)."""

    target_required = False
    target_type = ContentTypeField(required=False, allow_null=True)
    target_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    customer = BriefRelatedField(read_only=True)
    follow_up = BriefRelatedField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)

    class Meta(EntitySerializer.Meta):
        model = Task
        fields = [
            "title", "description", "due_at", "priority", "status", "done_at", "remind_at", "reminded_at",
            "target_type", "target_id", "customer", "follow_up",
        ]  # fmt: skip
        read_only_fields = ["done_at", "reminded_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if getattr(self, "instance", None) is not None:
            return super().validate(attrs)  # a different status is refused (use the transition)
        # A new task may be logged as done: created open, then completed by the viewset.
        status = attrs.pop("status", None)
        attrs = super().validate(attrs)
        if status is not None:
            attrs["status"] = status
        return attrs
