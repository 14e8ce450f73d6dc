"""The pools demo steps: two pools with their rules, pooled customers with history, soon-due ones."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Customer, CustomerContact, Lead, Pool, PoolMove, PoolRule
from guanxi.customers.pools.services.rules import plan_returns

pytestmark = pytest.mark.django_db


def test_demo_pools(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 60)
    monkeypatch.setattr(
        "guanxi.customers.leads.demo.CONVERTED_COUNT", 0
    )  # won-from-lead customers stay owned
    call_command("demo", "--quiet")

    east, national = Pool.objects.get(name="华东公海"), Pool.objects.get(name="全国公海")
    assert national.is_default and not east.is_default
    assert sorted(d.name for d in east.departments.all()) == ["华东销售一部", "华东销售二部"]
    assert [u.username for u in east.admins.all()] == ["manager1"]
    assert (east.max_owned_customers, east.max_claims_per_day, east.reclaim_cooloff_days) == (200, 10, 7)
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


def test_demo_clocks_look_like_a_book_of_business(monkeypatch):
    """Customers were created months ago and held for weeks; the rules see a team that keeps in
    touch: a few customers due or warned (rep1's My day shows them), far from everyone."""
    from guanxi.customers.pools.services.rules import RETURN, upcoming_returns
    from guanxi.users.models import User

    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 400)
    call_command("demo", "--quiet")
    now = timezone.now()
    customers = list(Customer.objects.all())
    assert all(c.created_at < now - timezone.timedelta(days=2) for c in customers)
    owned = [c for c in customers if c.owner_id]
    assert all(c.created_at < c.owned_since for c in owned)
    won_from_lead = set(Lead.objects.values_list("converted_customer", flat=True))
    assert all(c.owned_since < now - timezone.timedelta(days=2) for c in owned if c.pk not in won_from_lead)
    plan = plan_returns(now)
    returns = [m for m in plan if m.kind == RETURN]
    assert 0 < len(returns) < len(owned) * 0.15
    assert len(plan) > len(returns)  # warnings too
    assert upcoming_returns(User.objects.get(username="rep1"), now)
    # the 360° timeline starts when the customer was created, not when the demo ran
    customer = owned[0]
    created = ObjectChange.objects.get(
        action="create", changed_object_type__model="customer", changed_object_id=customer.pk
    )
    assert created.time == customer.created_at
    link = CustomerContact.objects.filter(customer=customer).select_related("contact").first()
    assert link is not None and customer.created_at < link.contact.created_at < customer.owned_since

    before = {c.pk: (c.created_at, c.owned_since) for c in customers}
    call_command("demo", "--quiet")  # the clocks are set once
    assert {c.pk: (c.created_at, c.owned_since) for c in Customer.objects.all()} == before
