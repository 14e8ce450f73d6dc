"""Measures of the customers app (``guanxi.framework.measures``): new customers, by creation date."""

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer
from guanxi.framework.measures import Measure, register_measure

register_measure(
    Measure(
        key="new_customers",
        label=_("New customers"),
        model=Customer,
        date_field="created_at",
        sum_field=None,
        condition=None,
        owner_field="owner",
        department_field="department",
        list_name="customers:customer_list",
    )
)
