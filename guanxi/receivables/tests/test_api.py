"""The receivables API: a contract's plan (read, add, split, void), a receipt's allocation, the
caps as field errors (400), and rows outside the caller's scope as 404."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from guanxi.receivables.models import Installment, Receipt
from guanxi.receivables.tests.conftest import planned, record, signed_contract


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_plan_api_reads_adds_splits_and_voids(c):
    contract = signed_contract(c.rep1, c.customer, "1000.00")
    api = _client(c.rep1)
    url = f"/api/v1/receivables/plans/{contract.pk}/"
    assert api.get(url).json() == []
    split = api.post(
        f"{url}split/", {"count": 3, "first_due_on": "2027-01-31", "every_months": 1}, format="json"
    )
    assert split.status_code == 200, split.json()
    assert [(r["sequence"], r["amount"]["amount"], r["due_on"]) for r in split.json()] == [
        (1, "333.33", "2027-01-31"),
        (2, "333.33", "2027-02-28"),
        (3, "333.34", "2027-03-31"),
    ]
    over = api.post(f"{url}installments/", {"due_on": "2027-05-01", "amount": "0.01"}, format="json")
    assert over.status_code == 400 and "amount_amount" in over.json()["errors"]
    first = Installment.objects.get(contract=contract, sequence=1)
    voided = api.post(f"{url}installments/{first.pk}/void/")
    assert voided.status_code == 200 and voided.json()[0]["status"] == "void"
    assert _client(c.rep2).get(url).status_code == 404


def test_allocate_a_receipt_through_the_api(c):
    contract = signed_contract(c.rep1, c.customer, "900.00")
    _first, second, _third = planned(contract, c.rep1, count=3)
    receipt = record(c.finance, contract, "300.00")
    api = _client(c.finance)
    url = f"/api/v1/receivables/receipts/{receipt.pk}/allocate/"
    bad = api.put(url, [{"installment": second.pk, "amount": "301"}], format="json")
    assert bad.status_code == 400
    good = api.put(url, [{"installment": second.pk, "amount": "300.00"}], format="json")
    assert good.status_code == 200, good.json()
    assert [(a["sequence"], a["amount"]) for a in good.json()["allocations"]] == [(2, "300.00")]
    moved = api.post(
        f"/api/v1/receivables/receipts/{receipt.pk}/transition/", {"transition": "submit"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "confirmed"
    assert Installment.objects.get(pk=second.pk).status == "paid"


def test_a_receipt_over_the_contract_is_a_400_with_the_field(c):
    contract = signed_contract(c.rep1, c.customer, "900.00")
    body = {"contract": contract.pk, "amount": {"amount": "900.01", "currency": "CNY"}}
    response = _client(c.finance).post("/api/v1/receivables/receipts/", body, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()["errors"] or "amount_amount" in response.json()["errors"]
    assert not Receipt.objects.exists()
    assert Decimal("900.00") == contract.amount_amount
