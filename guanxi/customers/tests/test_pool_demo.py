"""The pools demo steps: two pools with their rules, pooled customers with history, soon-due ones."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.customers.models import Customer, Pool, PoolMove, PoolRule
from guanxi.customers.services.pool_rules import plan_returns

pytestmark = pytest.mark.django_db


def test_demo_pools(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 60)
    monkeypatch.setattr(
        "guanxi.customers.demo_leads.CONVERTED_COUNT", 0
    )  # won-from-lead customers stay owned
    call_command("demo", "--quiet")

    east, national = Pool.objects.get(name="华东公海"), Pool.objects.get(name="全国公海")
    assert national.is_default and not east.is_default
    assert sorted(d.name for d in east.departments.all()) == ["华东销售一部", "华东销售二部"]
    assert [u.username for u in east.admins.all()] == ["manager1"]
    assert (east.max_owned_customers, east.max_claims_per_day, east.reclaim_cooloff_days) == (80, 10, 7)
    assert sorted(PoolRule.objects.values_list("name", flat=True)) == sorted(
        ["A级 30 天", "B级 20 天", "C/D级 15 天", "180 天未成交"]
    )
    pooled = list(Customer.objects.filter(pool__isnull=False))
    assert len(pooled) == 30
    assert all(c.owner_id is None and c.previous_owner_id and c.pool_entered_at for c in pooled)
    assert PoolMove.objects.filter(customer__in=pooled).count() == 30
    east_ids = {d.pk for d in east.departments.all()}
    assert all((c.pool_id == east.pk) == (c.department_id in east_ids) for c in pooled)
    assert all(m.reason() for m in PoolMove.objects.select_related("pool"))
    # some owned customers are due or close: the dry-run and My day have something to show
    assert plan_returns(timezone.now())

    call_command("demo", "--quiet")  # idempotent
    assert Customer.objects.filter(pool__isnull=False).count() == 30
    assert Pool.objects.count() == 2
