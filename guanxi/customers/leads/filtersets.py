"""Filters of the lead lists (and of their API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy

from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.conditions.filters import yes_no_filter
from guanxi.framework.filtersets import BOOLEAN_CHOICES, EntityFilterSet


class LeadFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Lead.Status.choices)
    source = django_filters.MultipleChoiceFilter(choices=Lead.Source.choices)
    unassigned = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_unassigned", label=gettext_lazy("unassigned")
    )
    province = django_filters.CharFilter(label=gettext_lazy("province"))
    utm_campaign = django_filters.CharFilter(label=gettext_lazy("UTM campaign"), lookup_expr="iexact")
    search_fields = ("name", "company", "phone", "email")
    condition_filters = {"unassigned": yes_no_filter({"field": "owner", "op": "is_empty"})}

    class Meta:
        model = Lead
        fields = ["status", "source", "unassigned", "province", "utm_campaign"]

    def filter_unassigned(self, queryset: Any, name: str, value: str) -> Any:
        if value in ("true", "false"):
            return queryset.filter(owner__isnull=value == "true")
        return queryset


class LeadCaptureFormFilterSet(EntityFilterSet):
    search_fields = ("name",)

    class Meta:
        model = LeadCaptureForm
        fields = ["active"]


# --- admin pages: assignment rules --------------------------------------------------------------------
class AssignmentRuleFilterSet(EntityFilterSet):
    search_fields = ("name",)

    class Meta:
        model = AssignmentRule
        fields = ["active", "method"]
