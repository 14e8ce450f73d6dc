"""Pages of customers and contacts: filters, forms, tables and the EntityViews declarations."""

from __future__ import annotations

from guanxi.customers.filtersets import (
    ContactFilterSet,
    CustomerFilterSet,
)
from guanxi.customers.forms import (
    ContactForm,
    CustomerForm,
)
from guanxi.customers.models import Contact, Customer
from guanxi.customers.tables import ContactTable, CustomerTable
from guanxi.framework.views import EntityViews


class CustomerViews(EntityViews):
    model = Customer
    filterset = CustomerFilterSet
    form = CustomerForm
    table = CustomerTable
    detail_template = "customers/customer_detail.html"
    bulk_edit_fields = ("level", "stage", "status", "source")


class ContactViews(EntityViews):
    model = Contact
    filterset = ContactFilterSet
    form = ContactForm
    table = ContactTable
    bulk_edit_fields = ("title",)
