"""``/api/v1/activities/follow-ups/`` and ``/api/v1/activities/tasks/``.

Creating goes through the same services as the pages (``log_follow_up``, ``create_task``), so an
API client gets the last-contacted bumps, the follow-up task and the notifications too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers

from guanxi.activities import services
from guanxi.activities.api.serializers import FollowUpSerializer, TaskSerializer
from guanxi.activities.filtersets import FollowUpFilterSet, TaskFilterSet
from guanxi.activities.models import FollowUp, Task
from guanxi.framework.api.serializers import django_errors_to_drf
from guanxi.framework.api.viewsets import EntityViewSet


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(django_errors_to_drf(exc))


class FollowUpViewSet(EntityViewSet):
    queryset = FollowUp.objects.prefetch_related("mentions")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        tags = data.get("tags")
        try:
            with transaction.atomic():
                follow_up = services.log_follow_up(
                    actor=self.request.user,
                    target=data["_target"],
                    kind=data.get("kind", "call"),
                    content=data.get("content", ""),
                    occurred_at=data.get("occurred_at"),
                    outcome=data.get("outcome", ""),
                    next_step=data.get("next_step", ""),
                    place=data.get("place", ""),
                    mentions=data.get("mentions", ()),
                    next_follow_up_at=data.get("next_follow_up_at"),
                    custom_field_data=data.get("custom_field_data"),
                )
                if tags is not None:
                    from guanxi.framework.tags import set_tags

                    set_tags(follow_up, tags)
                self.check_still_visible(follow_up)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from None
        serializer.instance = follow_up


class TaskViewSet(EntityViewSet):
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        tags = data.get("tags")
        try:
            with transaction.atomic():
                task = services.create_task(
                    actor=self.request.user,
                    title=data.get("title", ""),
                    due_at=data.get("due_at"),
                    priority=data.get("priority", "normal"),
                    description=data.get("description", ""),
                    target=data.get("_target"),
                    assignee=data.get("owner"),
                    remind_at=data.get("remind_at", services.UNSET),
                    custom_field_data=data.get("custom_field_data"),
                )
                if data.get("status") == "done":
                    task = services.complete_task(actor=self.request.user, task=task)
                if tags is not None:
                    from guanxi.framework.tags import set_tags

                    set_tags(task, tags)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from None
        serializer.instance = task
