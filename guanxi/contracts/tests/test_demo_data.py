"""The demo steps: contracts for the won deals (active, completed, one waiting for manager1) and
orders spread over two years for most customers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanxi.approvals.models import ApprovalRequest
from guanxi.contracts.demo_data import load_contracts, load_orders
from guanxi.contracts.models import Contract, Order
from guanxi.demo.generator import _context_for
from guanxi.framework.context import Source, actor_context
from guanxi.sales.services import move_deal
from guanxi.sales.tests.conftest import make_deal


def test_contracts_and_orders_demo(c):
    won = c.pipeline.stages.get(kind="won")
    for n in range(8):
        deal = make_deal(
            c.rep1 if n % 2 else c.rep2, c.customer if n % 2 else c.other, c.pipeline, name=f"演示{n}"
        )
        deal.amount_amount = 80000
        with actor_context(None, source=Source.DEMO):
            deal.save()
            move_deal(deal, won, actor=None, reason="price")
    ctx = _context_for("contracts", None, "", lambda text: None)
    ctx.users = {"rep1": c.rep1}
    with actor_context(None, source=Source.DEMO):
        assert load_contracts(ctx) == 9  # 8 won deals + rep1's contract for manager1
        assert load_contracts(ctx) == 0  # a second run creates nothing
    statuses = sorted(Contract.objects.values_list("status", flat=True))
    assert statuses == ["active"] * 6 + ["completed"] * 2 + ["pending_approval"]
    waiting = Contract.objects.get(status="pending_approval")
    assert waiting.owner == c.rep1 and waiting.amount_base > 100000
    request = ApprovalRequest.objects.get(object_id=waiting.pk, content_type__model="contract")
    assert list(request.steps.get().approvers.all()) == [c.manager1]
    assert all(x.ends_on < timezone.localdate() for x in Contract.objects.filter(status="completed"))
    assert len(set(Contract.objects.values_list("number", flat=True))) == 9

    from guanxi.products.models import Product

    Product.objects.filter(pk=c.crm.pk).update(list_price_currency="CNY")
    ctx = _context_for("orders", None, "", lambda text: None)
    with actor_context(None, source=Source.DEMO):
        assert load_orders(ctx) > 0
        assert load_orders(ctx) == 0
    orders = Order.objects.all()
    assert orders.exists() and all(o.total_amount > 0 for o in orders)
    two_years = timezone.localdate() - datetime.timedelta(days=731)
    assert all(o.order_date >= two_years for o in orders)
    assert {o.status for o in orders} <= {"draft", "confirmed", "fulfilled", "cancelled"}
    assert all(o.total_amount == sum(line.total_amount for line in o.lines.all()) for o in orders)
