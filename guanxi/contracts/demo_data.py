"""Demo data: contracts for the won deals (most active, some completed, one waiting for 张伟
(manager1)'s approval) and orders over the last two years for the most active customers (the
purchase history the analytics read).

Runs after the deals, products and quotes steps; idempotent (nothing when contracts exist).
Orders and their lines go in through the bulk write path (``bulk_create_objects``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

CONTRACT_LIMIT = 200  # won deals made into contracts
ORDER_CUSTOMERS = 300  # customers with an order history
TERMS = "一、付款方式：合同签订后 5 个工作日内支付 50%，验收后支付 50%。\n二、服务期：一年，期满可续签。"


def load_contracts(ctx: DemoContext) -> int:
    from guanxi.contracts.models import Contract
    from guanxi.contracts.services import create_contract
    from guanxi.sales.models import Deal

    if Contract.objects.exists():
        return 0
    today = timezone.localdate()
    won = list(
        Deal.objects.filter(stage__kind="won")
        .select_related("customer", "owner")
        .order_by("pk")[:CONTRACT_LIMIT]
    )
    created = 0
    for n, deal in enumerate(won):
        signed = deal.closed_at.date() if deal.closed_at else today - datetime.timedelta(days=30)
        completed = n % 4 == 3
        starts = signed + datetime.timedelta(days=7)
        ends = starts + datetime.timedelta(days=365 if not completed else 180)
        if completed and ends >= today:
            starts, ends = (
                signed - datetime.timedelta(days=400),
                today - datetime.timedelta(days=ctx.rng.randint(5, 60)),
            )
        contract = create_contract(
            actor=None,
            contract=Contract(
                title=deal.name,
                customer=deal.customer,
                deal=deal,
                amount_amount=deal.amount_amount or Decimal(50000),
                signed_on=signed,
                starts_on=starts,
                ends_on=ends,
                our_signer=deal.owner,
                terms=TERMS,
                owner=deal.owner,
            ),
        )
        # Demo fixtures set the status directly (QuerySet.update, as fixtures do).
        Contract.objects.filter(pk=contract.pk).update(status="completed" if completed else "active")
        created += 1
    created += _pending_for_manager(ctx, today)
    return created


def _pending_for_manager(ctx: DemoContext, today: datetime.date) -> int:
    """rep1's ¥280,000 contract, submitted by rep1: it waits for manager1's approval."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from guanxi.contracts.models import Contract
    from guanxi.contracts.services import create_contract
    from guanxi.customers.models import Customer
    from guanxi.framework.context import Source, actor_context
    from guanxi.framework.statemachine import transition

    rep1 = ctx.users.get("rep1")
    customer = Customer.objects.filter(owner=rep1).order_by("pk").first() if rep1 is not None else None
    if customer is None:
        return 0
    contract = create_contract(
        actor=None,
        contract=Contract(
            title=f"{customer.short_name or customer.name[:8]} · 年度服务合同",
            customer=customer,
            amount_amount=Decimal(280000),
            signed_on=today,
            starts_on=today + datetime.timedelta(days=7),
            ends_on=today + datetime.timedelta(days=372),
            our_signer=rep1,
            terms=TERMS,
            owner=rep1,
        ),
    )
    try:
        with actor_context(rep1, source=Source.DEMO):
            transition(contract, "submit", actor=rep1)
    except (PermissionDenied, ValidationError):
        pass  # the default grants are not installed: the contract stays a draft
    return 1


def load_orders(ctx: DemoContext) -> int:
    from guanxi.contracts.arithmetic import order_line_total, order_total
    from guanxi.contracts.models import Order, OrderLine
    from guanxi.customers.models import Customer
    from guanxi.framework.money import Money
    from guanxi.framework.write import bulk_create_objects
    from guanxi.products.models import Product

    if Order.objects.exists():
        return 0
    products = list(Product.objects.filter(is_active=True, list_price_currency="CNY").order_by("pk"))
    customers = list(Customer.objects.exclude(owner=None).order_by("pk")[: ORDER_CUSTOMERS * 2])
    if not products or not customers:
        return 0
    rng = ctx.rng
    active = [c for c in customers if rng.random() < 0.8][:ORDER_CUSTOMERS]  # most, not all
    today = timezone.localdate()
    channels = ["direct", "direct", "direct", "distributor", "online", "phone"]
    orders: list[Any] = []
    lines_of: list[list[Any]] = []
    statuses: list[str] = []
    for customer in active:
        for _n in range(rng.randint(1, 8)):
            day = today - datetime.timedelta(days=rng.randint(0, 730))
            status = rng.choices(["fulfilled", "confirmed", "cancelled", "draft"], weights=[75, 12, 8, 5])[0]
            lines = []
            for position, product in enumerate(
                rng.sample(products, min(len(products), rng.randint(1, 3))), start=1
            ):
                quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10)))
                discount = Decimal(rng.choice((0, 0, 0, 5, 10)))
                price = Money(product.list_price_amount, "CNY")
                lines.append(
                    OrderLine(
                        position=position,
                        product=product,
                        quantity=quantity,
                        unit_price_amount=price.amount,
                        unit_price_currency="CNY",
                        discount_percent=discount,
                        total_amount=order_line_total(quantity, price, discount).amount,
                        total_currency="CNY",
                    )
                )
            orders.append(
                Order(
                    customer=customer,
                    order_date=day,
                    channel=rng.choice(channels),
                    currency="CNY",
                    status="draft",  # moved below, once the lines are in (drafts take lines)
                    total_amount=order_total([line.total for line in lines], "CNY").amount,
                    total_currency="CNY",
                    owner_id=customer.owner_id,
                    department_id=customer.department_id,
                )
            )
            lines_of.append(lines)
            statuses.append(status)
    # day order: the numbers of each month follow the order dates
    triples = sorted(zip(orders, lines_of, statuses, strict=True), key=lambda row: row[0].order_date)
    orders = bulk_create_objects(Order, [row[0] for row in triples], actor=None, check_visible=False)
    all_lines = []
    by_status: dict[str, list[int]] = {}
    for order, (_order, lines, status) in zip(orders, triples, strict=True):
        by_status.setdefault(status, []).append(order.pk)
        for line in lines:
            line.order = order
            all_lines.append(line)
    bulk_create_objects(OrderLine, all_lines, actor=None, check_visible=False)
    # Demo fixtures set the status directly (QuerySet.update, as fixtures do).
    for status, pks in by_status.items():
        if status != "draft":
            Order.objects.filter(pk__in=pks).update(status=status)
    return len(orders) + len(all_lines)


register_demo_step("contracts", load_contracts, order=85)
register_demo_step("orders", load_orders, order=86)
