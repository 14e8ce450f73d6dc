"""Tables of pools and pool rules."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import label
from guanxi.customers.choices import LEVEL_LIST
from guanxi.customers.models import Pool, PoolRule
from guanxi.framework.tables import EntityTable, linkify_name


class PoolTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = Pool
        fields = (
            "name",
            "active",
            "is_default",
            "max_owned_customers",
            "max_claims_per_day",
            "reclaim_cooloff_days",
        )
        default_columns = fields

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


class PoolRuleTable(EntityTable):
    name = tables.Column()
    pool = tables.Column()

    class Meta(EntityTable.Meta):
        model = PoolRule
        fields = (
            "name",
            "pool",
            "levels",
            "no_follow_up_days",
            "no_won_deal_days",
            "warn_days_before",
            "active",
        )
        default_columns = fields

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)

    def render_levels(self, value: Any) -> str:
        return "/".join(label(LEVEL_LIST, v) for v in value) if value else str(_("All levels"))
