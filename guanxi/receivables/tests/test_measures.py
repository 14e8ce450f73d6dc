"""The ``received`` measure: confirmed receipts only, by month and owner, in the viewer's scope,
and the list link narrowed to exactly the rows counted."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from guanxi.framework.measures import measure, rows_link, totals
from guanxi.receivables.tests.conftest import confirm, record, signed_contract


def test_received_counts_confirmed_receipts_in_scope(c, client):
    today = timezone.localdate()
    month = today.replace(day=1)
    mine = signed_contract(c.rep1, c.customer, "100000.00")
    theirs = signed_contract(c.rep2, c.other, "100000.00")
    confirm(c.finance, record(c.finance, mine, "30000.00"))
    record(c.finance, mine, "5000.00")  # a draft does not count
    confirm(c.finance, record(c.finance, theirs, "20000.00"))
    assert measure("received").money
    assert totals("received", c.finance, month, today, by=("month", "owner")) == {
        (month, c.rep1.pk): Decimal("30000.00"),
        (month, c.rep2.pk): Decimal("20000.00"),
    }
    assert totals("received", c.rep1, month, today, by=()) == {(): Decimal("30000.00")}
    client.force_login(c.finance)
    listed = client.get(rows_link("received", month, today, owner_id=c.rep1.pk))
    assert listed.status_code == 200
    assert [r.amount_amount for r in listed.context["table"].data] == [Decimal("30000.00")]
