"""Tables of pools and pool rules."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import label
from guanxi.customers.choices import LEVEL_LIST
from guanxi.customers.models import Customer, Pool, PoolRule
from guanxi.framework.tables import DateTimeColumn, EntityTable, RowAction, linkify_name


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

    def render_no_won_deal_days(self, value: Any) -> Any:
        from django.utils.html import format_html

        from guanxi.customers.pools.services.rules import won_deal_inactive_reason

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


class PoolCustomerTable(EntityTable):
    """The customers waiting in a pool: a table on wide screens, cards with Claim on phones."""

    name = tables.Column(verbose_name=_("Name"), orderable=False)
    pool_entered_at = DateTimeColumn(
        verbose_name=_("In the pool since"), format="SHORT_DATE_FORMAT", orderable=False
    )
    previous_owner = tables.Column(verbose_name=_("Previous owner"), orderable=False)

    COLUMNS = ("name", "level", "industry", "province", "pool_entered_at", "previous_owner")

    class Meta(EntityTable.Meta):
        model = Customer
        fields = ("name", "level", "industry", "province", "phone", "pool_entered_at", "previous_owner")
        orderable = False
        row_actions_wide = True
        card_fields = ("level", "province", "pool_entered_at", "previous_owner")
        row_attrs = {"class": "pool-customer", "data-customer": lambda record: record.pk}

    def __init__(self, *args: Any, can_claim: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, columns=list(self.COLUMNS), **kwargs)
        self.can_claim = can_claim

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)

    def row_actions(self, record: Any) -> list[RowAction]:
        # A customer in the pool is nobody's yet: claim it first, then log on it.
        actions = [a for a in super().row_actions(record) if a.css != "row-log"]
        if self.can_claim:
            claim = RowAction(
                _("Claim"),
                icon="hand-grab",
                css="claim-button",
                form_id=f"claim-{record.pk}",
                primary=True,
            )
            actions.insert(0, claim)
        return actions
