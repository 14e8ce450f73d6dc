"""Filters of the customer and contact lists (and of their API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import LazyChoices
from guanxi.customers import regions
from guanxi.customers.choices import level_choices, stage_choices
from guanxi.customers.models import Contact, Customer
from guanxi.framework.conditions.filters import ConditionFilter, yes_no_filter
from guanxi.framework.filtersets import EntityFilterSet


def _province_choices() -> list[tuple[str, str]]:
    return [(r.name, r.name) for r in regions.provinces()]


def _not_contacted_node(days: str) -> dict[str, Any] | None:
    """``not_contacted_days=30`` as a condition: never contacted, or not within 30 days."""
    if not days.isdigit() or int(days) < 1:
        return None
    older = {"field": "last_contacted_at", "op": "older_than", "value": {"amount": int(days), "unit": "day"}}
    return {"any": [{"field": "last_contacted_at", "op": "is_empty"}, older]}


def _not_contacted_days(node: dict[str, Any]) -> list[str] | None:
    match = _not_contacted_node(str(_days_of(node)))
    return [str(_days_of(node))] if match is not None and match == node else None


def _days_of(node: dict[str, Any]) -> int:
    try:
        return int(node["any"][1]["value"]["amount"])
    except (KeyError, IndexError, TypeError, ValueError):
        return 0


class CustomerFilterSet(EntityFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Customer.Kind.choices)
    level = django_filters.MultipleChoiceFilter(choices=LazyChoices(level_choices))  # configured lists
    stage = django_filters.MultipleChoiceFilter(choices=LazyChoices(stage_choices))
    source = django_filters.MultipleChoiceFilter(choices=Customer.Source.choices)
    status = django_filters.MultipleChoiceFilter(choices=Customer.Status.choices)
    province = django_filters.ChoiceFilter(choices=_province_choices(), label=_("province"))
    city = django_filters.CharFilter(label=_("city"))
    region = django_filters.CharFilter(
        field_name="region_code", lookup_expr="startswith", label=_("region code (prefix)")
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine only"))
    not_contacted_days = django_filters.NumberFilter(
        # field_name: the column the method reads, so field rules on it apply to the filter too
        method="filter_not_contacted",
        field_name="last_contacted_at",
        label=_("Not contacted for (days)"),
        min_value=1,
    )
    birthday_this_month = django_filters.BooleanFilter(
        method="filter_birthday_this_month", field_name="birthday", label=_("Birthday this month")
    )
    search_fields = ("name", "short_name", "phone", "email", "credit_code")
    # The method filters as conditions (saved views store trees: docs/conditions.md).
    condition_filters = {
        "mine": yes_no_filter({"field": "owner", "op": "eq", "value": "$me"}, negatable=False),
        "not_contacted_days": ConditionFilter(
            to_node=lambda values: _not_contacted_node(values[0]),
            from_node=lambda node: _not_contacted_days(node),
        ),
        "birthday_this_month": yes_no_filter(
            {"field": "birthday", "op": "this_month_any_year"}, negatable=False
        ),
    }

    class Meta:
        model = Customer
        fields = ["kind", "level", "stage", "source", "status", "province", "city", "region"]

    def filter_mine(self, queryset: Any, name: str, value: Any) -> Any:
        user = getattr(self.request, "user", None)
        return (
            queryset.filter(owner=user) if value and user is not None and user.is_authenticated else queryset
        )

    def filter_not_contacted(self, queryset: Any, name: str, value: Any) -> Any:
        """Never contacted, or last contacted more than ``value`` days ago."""
        from datetime import timedelta

        from django.db.models import Q
        from django.utils import timezone

        if not value:
            return queryset
        since = timezone.now() - timedelta(days=int(value))
        return queryset.filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=since))

    def filter_birthday_this_month(self, queryset: Any, name: str, value: Any) -> Any:
        from django.utils import timezone

        return queryset.filter(birthday__month=timezone.localdate().month) if value else queryset


class ContactFilterSet(EntityFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_links__customer", label=_("customer"))
    search_fields = ("name", "phone", "mobile", "email")

    class Meta:
        model = Contact
        fields = ["customer"]
