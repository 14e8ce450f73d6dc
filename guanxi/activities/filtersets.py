"""Filters of the follow-up and task lists; the API uses the same classes."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.activities.choices import FollowUpKind, Priority, TaskStatus, outcome_choices
from guanxi.activities.models import FollowUp, Task
from guanxi.core.choices import LazyChoices
from guanxi.framework.conditions.filters import yes_no_filter
from guanxi.framework.filtersets import BOOLEAN_CHOICES, EntityFilterSet


def _flag(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    return str(value).lower() in ("true", "1", "yes", "on")


class FollowUpFilterSet(EntityFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=FollowUpKind.choices, label=_("kind"))
    outcome = django_filters.MultipleChoiceFilter(choices=LazyChoices(outcome_choices), label=_("outcome"))
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("From")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("Until")
    )
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    mine = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_mine", label=_("Logged by me"), empty_label="—"
    )
    # A manager's "visits of the team on a day": ?kind=visit&day=2026-12-06 (scope: restrict()).
    day = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date", label=_("On the day"))
    checked_in = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_checked_in", label=_("Checked in"), empty_label="—"
    )
    search_fields = ("content", "next_step", "place")
    condition_filters = {
        "mine": yes_no_filter({"field": "owner", "op": "eq", "value": "$me"}),
        "checked_in": yes_no_filter({"field": "latitude", "op": "is_not_empty"}),
    }

    class Meta:
        model = FollowUp
        fields = ["kind", "outcome", "customer"]

    def filter_mine(self, queryset: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        user = getattr(self.request, "user", None)
        flag = _flag(value)
        if flag is None or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(owner=user) if flag else queryset.exclude(owner=user)

    def filter_checked_in(self, queryset: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        flag = _flag(value)
        if flag is None:
            return queryset
        return queryset.filter(latitude__isnull=not flag)


class TaskFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, label=_("status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))
    due_after = django_filters.DateFilter(field_name="due_at", lookup_expr="date__gte", label=_("Due from"))
    due_before = django_filters.DateFilter(field_name="due_at", lookup_expr="date__lte", label=_("Due until"))
    overdue = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_overdue", label=_("Overdue"), empty_label="—"
    )
    mine = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_mine", label=_("Assigned to me"), empty_label="—"
    )
    from_follow_up = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_from_follow_up",
        label=_("Planned in a follow-up"),
        empty_label="—",
    )
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    search_fields = ("title", "description")
    condition_filters = {
        "mine": yes_no_filter({"field": "owner", "op": "eq", "value": "$me"}),
        "from_follow_up": yes_no_filter({"field": "follow_up", "op": "is_not_empty"}),
        "overdue": yes_no_filter(
            {
                "all": [
                    {"field": "status", "op": "eq", "value": TaskStatus.OPEN.value},
                    {"field": "due_at", "op": "past"},
                ]
            }
        ),
    }

    class Meta:
        model = Task
        fields = ["status", "priority", "customer"]

    def filter_overdue(self, queryset: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        flag = _flag(value)
        if flag is None:
            return queryset
        late = models.Q(status=TaskStatus.OPEN, due_at__lt=timezone.now())
        return queryset.filter(late) if flag else queryset.exclude(late)

    def filter_mine(self, queryset: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        user = getattr(self.request, "user", None)
        flag = _flag(value)
        if flag is None or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(owner=user) if flag else queryset.exclude(owner=user)

    def filter_from_follow_up(self, queryset: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        flag = _flag(value)
        if flag is None:
            return queryset
        return queryset.filter(follow_up__isnull=not flag)
