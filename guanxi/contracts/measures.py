"""Measures of the contracts app (``guanxi.framework.measures``): the signed contract amount."""

from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import SIGNED_STATUSES, Contract
from guanxi.framework.measures import Measure, register_measure

register_measure(
    Measure(
        key="signed",
        label=_("Signed amount"),
        model=Contract,
        date_field="signed_on",
        sum_field="amount_base",
        condition={
            "version": 1,
            "all": [{"field": "status", "op": "in", "value": [str(s) for s in SIGNED_STATUSES]}],
        },
        owner_field="owner",
        department_field="department",
        list_name="contracts:contract_list",
    )
)
