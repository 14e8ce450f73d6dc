"""The demo steps: ~60 products in categories, a price list per level, quotes in every status."""

from __future__ import annotations

from guanxi.demo.generator import _context_for
from guanxi.framework.context import Source, actor_context
from guanxi.products.demo_data import load_products
from guanxi.products.models import PriceList, Product, ProductCategory
from guanxi.quotes.demo_data import load_quotes
from guanxi.quotes.models import Quote
from guanxi.sales.tests.conftest import make_deal


def test_products_and_quotes_demo(q):
    ctx = _context_for("products", None, "", lambda text: None)
    with actor_context(None, source=Source.DEMO):
        PriceList.objects.all().delete()
        Product.objects.all().delete()
        ProductCategory.objects.all().delete()
        assert load_products(ctx) > 0
        assert load_products(ctx) == 0  # a second run creates nothing
    assert Product.objects.count() == 58
    assert ProductCategory.objects.filter(parent__isnull=True).count() == 4
    assert set(PriceList.objects.values_list("customer_level", flat=True)) == {"A", "B", "C", "D"}
    level_a = PriceList.objects.get(customer_level="A")
    pro = Product.objects.get(name="关系云专业版")
    assert level_a.items.get(product=pro).price_amount == 16830  # 85 % of ¥19,800
    for n in range(12):
        make_deal(q.rep1 if n % 2 else q.rep2, q.customer, q.pipeline, name=f"演示商机{n}")
    quotes_ctx = _context_for("quotes", None, "", lambda text: None)
    quotes_ctx.users = {"rep1": q.rep1}
    with actor_context(None, source=Source.DEMO):
        assert load_quotes(quotes_ctx) > 0
    statuses = set(Quote.objects.values_list("status", flat=True))
    assert statuses == {"draft", "pending_approval", "approved", "sent", "accepted", "rejected", "expired"}
    waiting = Quote.objects.get(status="pending_approval")
    assert waiting.owner == q.rep1 and waiting.discount_percent > 15
    # two more of rep1's quotes went through the engine and were decided by his manager, so
    # 我已审批 and the approval history are not empty: one approved, one rejected back to draft
    from guanxi.approvals.models import ApprovalAction, ApprovalRequest

    decided = {r.status: r for r in ApprovalRequest.objects.exclude(status="pending")}
    assert set(decided) == {"approved", "rejected"}
    assert decided["approved"].document.status == "approved"
    assert decided["rejected"].document.status == "draft"
    decisions = ApprovalAction.objects.filter(kind__in=["approved", "rejected"])
    deciders = set(decisions.values_list("actor", flat=True))
    assert q.rep1.manager_id in deciders
    assert all(x.grand_total_amount > 0 for x in Quote.objects.all())
