"""Pool and pool-rule administration (Organisation area): the EntityViews recipe, three classes each."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import active_values, label
from guanxi.customers.choices import LEVEL_LIST, level_choices
from guanxi.customers.models import Pool, PoolRule
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.framework.forms import EntityForm
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.framework.views import EntityViews


class PoolFilterSet(EntityFilterSet):
    active = django_filters.BooleanFilter()
    search_fields = ("name", "description")

    class Meta:
        model = Pool
        fields = ["active", "is_default"]


class PoolForm(EntityForm):
    class Meta:
        model = Pool
        fields = [
            "name",
            "description",
            "departments",
            "admins",
            "active",
            "is_default",
            "max_owned_customers",
            "max_claims_per_day",
            "reclaim_cooloff_days",
        ]


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


class PoolViews(EntityViews):
    model = Pool
    filterset = PoolFilterSet
    form = PoolForm
    table = PoolTable
    url_prefix = "org/pools"
    bulk_edit_fields = ("active", "max_owned_customers", "max_claims_per_day", "reclaim_cooloff_days")


class PoolRuleFilterSet(EntityFilterSet):
    pool = django_filters.ModelChoiceFilter(queryset=Pool.objects.all(), label=_("pool"))
    search_fields = ("name",)

    class Meta:
        model = PoolRule
        fields = ["pool", "active"]


class PoolRuleForm(EntityForm):
    levels = forms.MultipleChoiceField(
        label=_("customer levels"),
        choices=level_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked = every level."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "levels" in self.fields:  # active levels, plus deactivated ones this rule already names
            kept = set(self.instance.levels or []) if self.instance.pk else set()
            field = self.fields["levels"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(v, lbl) for v, lbl in level_choices() if v in active_values(LEVEL_LIST) | kept]

    class Meta:
        model = PoolRule
        fields = [
            "pool",
            "name",
            "levels",
            "no_follow_up_days",
            "no_won_deal_days",
            "warn_days_before",
            "active",
            "departments",
        ]


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

    def render_no_won_deal_days(self, value: Any) -> Any:
        from django.utils.html import format_html

        from guanxi.customers.services.pool_rules import won_deal_inactive_reason

        reason = won_deal_inactive_reason()
        if not reason:
            return value
        return format_html(
            '{} <span class="badge badge-slate won-deal-inactive" title="{}">{}</span>',
            value,
            reason,
            _("not in force"),
        )

    def render_levels(self, value: Any) -> str:
        return "/".join(label(LEVEL_LIST, v) for v in value) if value else str(_("All levels"))


class PoolRuleViews(EntityViews):
    model = PoolRule
    queryset = PoolRule.objects.select_related("pool")
    filterset = PoolRuleFilterSet
    form = PoolRuleForm
    table = PoolRuleTable
    url_prefix = "org/pool-rules"
    bulk_edit_fields = ("active", "warn_days_before")
