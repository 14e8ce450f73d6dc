"""Measures of the sales app (``guanxi.framework.measures``): the amount of deals won, by close date."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.measures import Measure, register_measure
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal

register_measure(
    Measure(
        key="won",
        label=_("Won deal amount"),
        model=Deal,
        date_field="closed_at",
        sum_field="amount_base",
        condition={"version": 1, "all": [{"field": "stage.kind", "op": "eq", "value": str(StageKind.WON)}]},
        owner_field="owner",
        department_field="department",
        list_name="sales:deal_list",
    )
)
