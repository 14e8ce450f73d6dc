"""Demo step: 华东公海 and 全国公海 with their rules, customers waiting in them with a history, and
owned customers close to their return so "My day" and the dry-run show something.

Three steps, idempotent: ``pools`` (order 25, before the customers, so a demo reset — newest rows
first — deletes the customers before the pools they wait in), ``pool members`` (order 36:
customers moved into the pools with their history) and ``pool clocks`` (order 45, after the
follow-ups: customers get the age a real book of business has — created months or years ago,
held by their owner for weeks or months, a deal won for most customers past the prospect stage —
so the rules see the same picture a sales team would: most customers kept warm, a few due or
close to their return in "My day" and on the dry-run page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

POOLED_COUNT = 150  # at most half of the demo customers
RELEASE_REASONS = ("客户预算冻结，暂无需求", "联系不上决策人", "已转给渠道伙伴跟进", "客户明年再采购")
# a demo rep owns about 170 of the 2,000 customers: the cap leaves room to claim
CAPS = {"max_owned_customers": 200, "max_claims_per_day": 10, "reclaim_cooloff_days": 7}
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
    from guanxi.customers.pools.services.moves import into_pool, ownership_rows

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

    return created


def load_pool_clocks(ctx: DemoContext) -> int:
    """Back-date the customers' clocks (created, owned since, last won) in bulk; creates no rows.

    Runs once, on customers still carrying the load-time ``created_at`` (the bulk path stamps
    every row "now"); a second run finds none and changes nothing.
    """
    from guanxi.customers.models import Customer, Lead, PoolMove

    rng = ctx.rng
    now = timezone.now()
    if Customer.objects.filter(created_at__lt=now - dt.timedelta(days=2)).exists():
        return 0
    fresh = list(Customer.objects.order_by("pk"))
    pooled_at = dict(PoolMove.objects.values_list("customer_id", "time").order_by("time"))
    # a customer won from a lead keeps the moment the rep converted it as "owned since"
    won_from_lead = set(
        Lead.objects.exclude(converted_customer=None).values_list("converted_customer", flat=True)
    )
    passed_prospect = {Customer.Stage.WON, Customer.Stage.REPEAT, Customer.Stage.LOST}
    for customer in fresh:
        if customer.owner_id is not None and customer.pk in won_from_lead and customer.owned_since:
            start = customer.owned_since
        elif customer.owner_id is not None:
            # a 180-day "no won deal" rule must leave most prospects alone: owned < 170 days
            customer.owned_since = now - dt.timedelta(days=rng.randint(20, 170), hours=rng.randint(0, 23))
            if customer.stage in passed_prospect and rng.random() < 0.9:
                customer.last_won_at = now - dt.timedelta(days=rng.randint(5, 160))
            start = customer.owned_since
        else:
            start = pooled_at.get(customer.pk, now)
        customer.created_at = start - dt.timedelta(days=rng.randint(30, 600), hours=rng.randint(0, 23))
    # a few prospects outside 华东 held since just before or after the 180-day line
    prospects = [
        c
        for c in fresh
        if c.owner_id
        and c.pk not in won_from_lead
        and c.stage == Customer.Stage.PROSPECT
        and not c.last_won_at
    ]
    for customer in rng.sample(prospects, min(6, len(prospects))):
        customer.owned_since = now - dt.timedelta(days=rng.randint(172, 186))
        # created before it was owned (``min`` with owned_since itself made the two equal)
        customer.created_at = min(customer.created_at, customer.owned_since - dt.timedelta(days=30))
    # bulk_update skips save(): clocks are not edits a person made, so they write no history
    Customer.objects.bulk_update(fresh, ["owned_since", "last_won_at"], batch_size=500)
    _backdate_creation(fresh)
    return 0


def _backdate_creation(customers: list[Any]) -> None:
    """Customers, their contacts and contact links (and the change-log "create" entries of all
    three) date from the customer's creation, a minute apart, so the 360° timeline starts there."""
    from guanxi.customers.models import Contact, Customer, CustomerContact
    from guanxi.demo.backdate import backdate_created

    created = {c.pk: c.created_at for c in customers}
    links = list(
        CustomerContact.objects.filter(customer__in=customers).only("pk", "customer_id", "contact_id")
    )
    contact_times: dict[int, dt.datetime] = {}
    for link in links:  # a contact of several customers dates from the earliest
        when = created[link.customer_id] + dt.timedelta(minutes=1)
        contact_times[link.contact_id] = min(when, contact_times.get(link.contact_id, when))
    backdate_created(Customer, created)
    backdate_created(Contact, contact_times)
    backdate_created(
        CustomerContact, {link.pk: created[link.customer_id] + dt.timedelta(minutes=2) for link in links}
    )


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
register_demo_step("pool clocks", load_pool_clocks, order=45)
