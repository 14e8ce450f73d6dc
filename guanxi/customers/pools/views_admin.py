"""Pool and pool-rule administration (Organisation area): the EntityViews recipe, three classes each."""

from __future__ import annotations

from guanxi.customers.models import Pool, PoolRule
from guanxi.customers.pools.filtersets import PoolFilterSet, PoolRuleFilterSet
from guanxi.customers.pools.forms import PoolForm, PoolRuleForm
from guanxi.customers.pools.tables import PoolRuleTable, PoolTable
from guanxi.framework.views import EntityViews


class PoolViews(EntityViews):
    model = Pool
    filterset = PoolFilterSet
    form = PoolForm
    table = PoolTable
    url_prefix = "org/pools"
    bulk_edit_fields = ("active", "max_owned_customers", "max_claims_per_day", "reclaim_cooloff_days")


class PoolRuleViews(EntityViews):
    model = PoolRule
    queryset = PoolRule.objects.select_related("pool")
    filterset = PoolRuleFilterSet
    form = PoolRuleForm
    table = PoolRuleTable
    url_prefix = "org/pool-rules"
    bulk_edit_fields = ("active", "warn_days_before")
