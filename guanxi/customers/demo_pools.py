"""Demo step: 华东公海 and 全国公海 with their rules, customers waiting in them with a history, and
owned customers close to their return so "My day" and the dry-run show something.

Two steps, idempotent: ``pools`` (order 25, before the customers, so a demo reset — newest rows
first — deletes the customers before the pools they wait in) and ``pool members`` (order 36:
customers moved into the pools with their history, others brought close to their return).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

POOLED_COUNT = 150  # at most half of the demo customers
RELEASE_REASONS = ("客户预算冻结，暂无需求", "联系不上决策人", "已转给渠道伙伴跟进", "客户明年再采购")
CAPS = {"max_owned_customers": 80, "max_claims_per_day": 10, "reclaim_cooloff_days": 7}
# pool key, name, rule name, levels, days without follow-up, days without a won deal, warn days
RULES = [
    ("east", "A级 30 天", ["A"], 30, None, 5),
    ("east", "B级 20 天", ["B"], 20, None, 3),
    ("east", "C/D级 15 天", ["C", "D"], 15, None, 2),
    ("national", "180 天未成交", [], None, 180, 10),
]


def load_pools(ctx: DemoContext) -> int:
    """华东公海 and 全国公海 with their caps and rules; returns the rows created."""
    from guanxi.customers.models import Pool, PoolRule

    if Pool.objects.exists():
        return 0
    east_departments = [d for key, d in ctx.departments.items() if key in ("east1", "east2")]
    east = Pool.objects.create(name="华东公海", description="华东销售一部、二部的公海客户", **CAPS)
    east.departments.set(east_departments)
    if "manager1" in ctx.users:
        east.admins.set([ctx.users["manager1"]])
    national = Pool.objects.create(
        name="全国公海", description="全公司可见；未指定公海时退回这里", is_default=True, **CAPS
    )
    pools = {"east": east, "national": national}
    for pool_key, name, levels, follow_up, won, warn in RULES:
        rule = PoolRule.objects.create(
            pool=pools[pool_key],
            name=name,
            levels=levels,
            no_follow_up_days=follow_up,
            no_won_deal_days=won,
            warn_days_before=warn,
        )
        if pool_key == "east":
            rule.departments.set(east_departments)
    return 2 + len(RULES)


def load_pool_members(ctx: DemoContext) -> int:
    """~150 customers returned or put back into the pools (with PoolMove history); returns them."""
    from guanxi.customers.models import Customer, Lead, Pool, PoolMove, PoolRule
    from guanxi.customers.services.pool_moves import into_pool, ownership_rows

    east, national = (
        Pool.objects.filter(name="华东公海").first(),
        Pool.objects.filter(is_default=True).first(),
    )
    if east is None or national is None or PoolMove.objects.exists():
        return 0
    rng = ctx.rng
    rules = {rule.name: rule for rule in PoolRule.objects.all()}
    east_departments = list(east.departments.all())
    created = 0
    now = timezone.now()
    east_ids = {d.pk for d in east_departments}
    # Customers won from a lead stay with the rep who converted it (the leads demo shows them).
    converted = Lead.objects.filter(converted_customer__isnull=False).values("converted_customer")
    owned = list(Customer.objects.filter(owner__isnull=False).exclude(pk__in=converted).order_by("pk"))
    chosen = rng.sample(owned, min(POOLED_COUNT, len(owned) // 2))
    for customer in chosen:
        in_east = customer.department_id in east_ids
        pool = east if in_east else national
        when = now - dt.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
        rows = ownership_rows(Customer.objects.filter(pk=customer.pk))
        if rng.random() < 0.3:
            reason = rng.choice(RELEASE_REASONS)
            into_pool(
                rows,
                pool=pool,
                actor=customer.owner,
                now=when,
                action=PoolMove.Action.RELEASED,
                params_for=lambda row, r=reason, p=pool: {"reason": r, "pool": p.name},
            )
        else:
            rule = _rule_for(customer, in_east, rules)
            days = (rule.no_follow_up_days or rule.no_won_deal_days) + rng.randint(0, 3)
            trigger = "no_follow_up" if rule.no_follow_up_days else "no_won_deal"
            params = {"trigger": trigger, "days": days, "rule": rule.name, "pool": pool.name}
            into_pool(
                rows,
                pool=pool,
                actor=None,
                now=when,
                action=PoolMove.Action.RETURNED,
                params_for=lambda row, p=params: p,
                rule=rule,
            )
        created += 1

    # Owned customers close to (or past) their return, so My day and the dry-run have content.
    still_owned = [c for c in owned if c not in chosen]
    for customer in rng.sample(still_owned, min(24, len(still_owned))):
        held = now - dt.timedelta(days=rng.randint(60, 200))
        contacted = now - dt.timedelta(
            days=rng.choice((12, 14, 18, 19, 26, 27, 28, 29, 31, 33)), hours=rng.randint(0, 20)
        )
        Customer.objects.filter(pk=customer.pk).update(owned_since=held, last_contacted_at=contacted)
    return created


def _rule_for(customer: Any, in_east: bool, rules: dict[str, Any]) -> Any:
    if not in_east:
        return rules["180 天未成交"]
    if customer.level == "A":
        return rules["A级 30 天"]
    if customer.level == "B":
        return rules["B级 20 天"]
    return rules["C/D级 15 天"]


register_demo_step("pools", load_pools, order=25)
register_demo_step("pool members", load_pool_members, order=36)
