"""Filters of the pool and pool-rule lists (and of their API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Pool, PoolRule
from guanxi.framework.filtersets import EntityFilterSet


class PoolFilterSet(EntityFilterSet):
    active = django_filters.BooleanFilter()
    search_fields = ("name", "description")

    class Meta:
        model = Pool
        fields = ["active", "is_default"]


class PoolRuleFilterSet(EntityFilterSet):
    pool = django_filters.ModelChoiceFilter(queryset=Pool.objects.all(), label=_("pool"))
    search_fields = ("name",)

    class Meta:
        model = PoolRule
        fields = ["pool", "active"]
