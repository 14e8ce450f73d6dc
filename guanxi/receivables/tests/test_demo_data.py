"""The receivables demo step: plans for the signed contracts (paid, partial, overdue), receipts
and invoice requests in every status; a second run creates nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanxi.demo.generator import _context_for
from guanxi.framework.context import Source, actor_context
from guanxi.receivables.demo_data import load_receivables
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt
from guanxi.receivables.tests.conftest import signed_contract


def test_receivables_demo(c):
    today = timezone.localdate()
    for n in range(10):
        owner, customer = (c.rep1, c.customer) if n % 2 else (c.rep2, c.other)
        signed_contract(owner, customer, "120000.00", signed_on=today - datetime.timedelta(days=30 * n))
    ctx = _context_for("receivables", None, "", lambda text: None)
    with actor_context(None, source=Source.DEMO):
        assert load_receivables(ctx) > 0
        assert load_receivables(ctx) == 0
    statuses = set(Installment.objects.values_list("status", flat=True))
    assert {"paid", "overdue"} <= statuses
    assert {"confirmed", "draft"} <= set(Receipt.objects.values_list("status", flat=True))
    assert InvoiceRequest.objects.exists()
    for contract_id in Installment.objects.values_list("contract_id", flat=True).distinct():
        plan = Installment.objects.filter(contract_id=contract_id)
        assert sum(i.amount_amount for i in plan) == plan.first().contract.amount_amount
