"""The receivables' business number: 回款 (``received``) — confirmed receipts by the day the money
came in, summed in the company currency (guanxi.framework.measures)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.measures import Measure, register_measure
from guanxi.receivables.models import Receipt, ReceiptStatus

register_measure(
    Measure(
        key="received",
        label=_("Payments received"),
        model=Receipt,
        date_field="received_on",
        sum_field="amount_base",
        condition={
            "version": 1,
            "all": [{"field": "status", "op": "in", "value": [ReceiptStatus.CONFIRMED.value]}],
        },
        owner_field="owner",
        department_field="department",
        list_name="receivables:receipt_list",
    )
)
