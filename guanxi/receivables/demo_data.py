"""Demo data: payment plans for the demo's signed contracts — some paid, some partly paid, some
overdue — their receipts (mostly confirmed; a few drafts, one waiting, one rejected) and invoice
requests in every status.

Runs after the contracts step; idempotent (nothing when installments exist). Plans go in through
``split_plan`` (the service), receipts through the write path; statuses are then set directly
(``QuerySet.update``, as fixtures do) and the confirmed receipts applied to the plans by the same
service a confirmation runs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

PLAN_LIMIT = 120  # signed contracts given a plan


def load_receivables(ctx: DemoContext) -> int:
    from guanxi.contracts.models import Contract
    from guanxi.framework.write import save_object
    from guanxi.receivables.models import Installment, Receipt
    from guanxi.receivables.services import apply_confirmed_receipt, split_plan

    if Installment.objects.exists():
        return 0
    rng = ctx.rng
    today = timezone.localdate()
    contracts = list(
        Contract.objects.filter(status__in=["active", "completed"])
        .exclude(amount_amount=None)
        .order_by("pk")[:PLAN_LIMIT]
    )
    created = 0
    methods = ["bank_transfer"] * 6 + ["acceptance_bill", "alipay", "wechat_pay", "cheque"]
    for n, contract in enumerate(contracts):
        count = rng.choice((1, 2, 3, 3, 4))
        first = contract.signed_on + datetime.timedelta(days=15)
        rows = split_plan(
            contract, actor=None, count=count, first_due_on=first, every_months=rng.choice((1, 2, 3))
        )
        created += len(rows)
        # What came in: completed contracts in full; others paid up to a random installment,
        # sometimes with a partial payment on the next (the rest stays open or overdue).
        due = [row for row in rows if row.due_on <= today + datetime.timedelta(days=10)]
        if contract.status == "completed":
            paid_rows, partial = rows, False
        else:
            paid_rows = due[: rng.randint(0, len(due))] if due else []
            partial = n % 5 == 0 and len(paid_rows) < len(rows)
        amounts = [row.amount_amount for row in paid_rows]
        if partial:
            nxt = rows[len(paid_rows)]
            amounts.append(((nxt.amount_amount or Decimal(0)) * Decimal("0.4")).quantize(Decimal("0.01")))
        for index, amount in enumerate(amounts):
            row = rows[index]
            day = min(row.due_on + datetime.timedelta(days=rng.randint(-5, 20)), today)
            receipt = Receipt(
                contract=contract,
                received_on=day,
                amount_amount=amount,
                amount_currency=contract.amount_currency,
                method=rng.choice(methods),
                payer=contract.customer.name,
                reference=f"{day:%Y%m%d}{rng.randint(100000, 999999)}",
            )
            receipt.fill_defaults()
            save_object(receipt, actor=None, check_visible=False)
            Receipt.objects.filter(pk=receipt.pk).update(status="confirmed", confirmed_at=timezone.now())
            apply_confirmed_receipt(Receipt.objects.get(pk=receipt.pk))
            created += 1
    created += _open_receipts(ctx, contracts)
    created += _invoice_requests(ctx)
    return created


def _open_receipts(ctx: DemoContext, contracts: list[Any]) -> int:
    """A few receipts still open: drafts, one waiting for confirmation, one rejected."""
    from django.db.models import Sum

    from guanxi.framework.write import save_object
    from guanxi.receivables.models import Receipt

    made = 0
    statuses = ["draft", "draft", "pending_approval", "rejected"]
    for contract in contracts:
        if made == len(statuses):
            break
        received = Receipt.objects.filter(contract=contract).aggregate(t=Sum("amount_amount"))["t"] or 0
        left = (contract.amount_amount or Decimal(0)) - Decimal(received)
        if left < 1000:
            continue
        receipt = Receipt(
            contract=contract,
            amount_amount=(left / 2).quantize(Decimal("0.01")),
            amount_currency=contract.amount_currency,
            payer=contract.customer.name,
            note="待财务核对银行流水",
        )
        receipt.fill_defaults()
        save_object(receipt, actor=None, check_visible=False)
        status = statuses[made]
        if status != "draft":
            Receipt.objects.filter(pk=receipt.pk).update(
                status=status, rejection_reason="金额与银行流水不符" if status == "rejected" else ""
            )
        made += 1
    return made


def _invoice_requests(ctx: DemoContext) -> int:
    """Invoice requests in every status, for contracts with confirmed receipts."""
    from guanxi.framework.write import save_object
    from guanxi.receivables.models import InvoiceRequest, Receipt

    statuses = ["issued"] * 6 + ["approved", "approved", "pending_approval", "draft", "rejected", "cancelled"]
    receipts = list(
        Receipt.objects.filter(status="confirmed")
        .select_related("contract__customer")
        .order_by("pk")[: len(statuses)]
    )
    made = 0
    for n, (receipt, status) in enumerate(zip(receipts, statuses, strict=False)):
        request = InvoiceRequest(
            contract=receipt.contract,
            kind="special" if n % 3 == 0 else "normal",
            amount_amount=receipt.amount_amount,
            amount_currency=receipt.amount_currency,
            requested_on=receipt.received_on,
            bank_name="招商银行上海分行",
            bank_account=f"1219{receipt.pk:011d}",
            address=receipt.contract.customer.address or "上海市浦东新区张江路 88 号",
            phone=receipt.contract.customer.phone or "021-58880000",
        )
        request.fill_defaults()
        if not request.tax_id or len(request.tax_id) not in (15, 18, 20):
            request.tax_id = "91310000MA1FL4KX3N"
        save_object(request, actor=None, check_visible=False)
        request.receipts.add(receipt)
        fields: dict[str, Any] = {"status": status}
        if status == "issued":
            fields |= {"invoice_number": f"0441{receipt.pk:04d}", "invoice_date": receipt.received_on}
        if status == "rejected":
            fields["rejection_reason"] = "抬头与合同不一致"
        InvoiceRequest.objects.filter(pk=request.pk).update(**fields)
        made += 1
    return made


register_demo_step("receivables", load_receivables, order=87)
