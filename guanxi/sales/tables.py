"""List columns of deals, pipelines and stages."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.sales.models import Deal, Pipeline, Stage


class DealTable(EntityTable):
    name = tables.Column()
    amount = MoneyColumn("amount", verbose_name=_("amount"))
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__name",))
    stage = tables.Column(verbose_name=_("stage"), order_by=("stage__order",))

    class Meta(EntityTable.Meta):
        model = Deal
        fields = (
            "name",
            "customer",
            "pipeline",
            "stage",
            "amount",
            "expected_close_date",
            "forecast_category",
            "next_step",
            "competitors",
            "source",
            "close_reason",
            "stage_entered_at",
            "closed_at",
        )
        default_columns = ("name", "customer", "stage", "amount", "expected_close_date", "owner", "tags")
        # a manager's phone list holds the team's deals: whose each one is matters as much as its stage
        card_fields = ("customer", "stage", "amount", "owner")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


# The two names of a bilingual record are data in their own language, whatever the reader's:
# `lang` lets screen readers pronounce them and tells checks that they are not interface text.
def _name_columns() -> tuple[tables.Column, tables.Column]:
    return (
        tables.Column(attrs={"td": {"lang": "zh-Hans"}}),
        tables.Column(attrs={"td": {"lang": "en"}}),
    )


class PipelineTable(EntityTable):
    name, name_en = _name_columns()

    class Meta(EntityTable.Meta):
        model = Pipeline
        fields = ("name", "name_en", "is_default", "active", "order")
        default_columns = ("name", "name_en", "is_default", "active", "order")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


class StageTable(EntityTable):
    name, name_en = _name_columns()

    class Meta(EntityTable.Meta):
        model = Stage
        fields = ("pipeline", "name", "name_en", "order", "probability", "kind", "stale_after_days")
        default_columns = ("pipeline", "name", "name_en", "order", "probability", "kind", "stale_after_days")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)
