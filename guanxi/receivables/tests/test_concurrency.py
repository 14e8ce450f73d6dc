"""Two finance users recording receipts on one contract at the same moment cannot together pass
its amount: the write guard locks the contract row (``select_for_update`` on PostgreSQL; SQLite
serialises writers), so the second sees the first's receipt and is refused with the message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.contracts.models import Contract
from guanxi.customers.models import Customer
from guanxi.framework.context import Source, actor_context
from guanxi.framework.testing.concurrency import in_thread, run_together
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.write import save_object
from guanxi.receivables.models import Receipt


@pytest.mark.django_db(transaction=True)
def test_two_receipts_at_once_cannot_exceed_the_contract(shared_database):
    with as_system():
        customer = Customer.objects.create(name="上海华康医疗器械有限公司")
        contract = Contract.objects.create(
            customer=customer, title="华康年度服务合同", number="HT-C-0001",
            amount_amount=Decimal("50000.00"), status="active",
        )  # fmt: skip
    shared_database()

    def record(index: int) -> str:
        from django.utils import translation

        with actor_context(None, source=Source.TASK), translation.override("en"):
            receipt = Receipt(
                contract_id=contract.pk, amount_amount=Decimal("30000.00"), payer=f"付款人{index}"
            )
            receipt.full_clean()
            try:
                save_object(receipt, actor=None, check_visible=False)
            except ValidationError as refused:
                return refused.message_dict["amount_amount"][0]
            return "saved"

    outcomes = run_together(2, record)
    assert sorted(o if o == "saved" else "refused" for o in outcomes) == ["refused", "saved"], outcomes
    refused = next(o for o in outcomes if o != "saved")
    assert "more than its amount" in refused and "20,000.00" in refused
    assert in_thread(lambda: Receipt.objects.filter(contract_id=contract.pk).count()) == 1
