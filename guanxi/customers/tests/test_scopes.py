"""The data-scope suite on customers: pages, search, export and the API per scope and persona."""

from __future__ import annotations

from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.scopes import ScopeSuite, record_name


class TestCustomerScopes(ScopeSuite):
    model = Customer
    url_prefix = "/customers/"
    api_url = "/api/v1/customers/customers/"
    # Renaming every row to one name would be an ownership conflict (撞单) between their owners.
    api_edit = {"notes": "edited"}

    def make(self, owner, department, n):
        return Customer.objects.create(
            name=record_name(n), phone=f"+86139{n:08d}", owner=owner, department=department
        )


class TestContactScopes(ScopeSuite):
    model = Contact
    url_prefix = "/contacts/"
    api_url = "/api/v1/customers/contacts/"
    api_edit = {"title": "edited"}

    def make(self, owner, department, n):
        return Contact.objects.create(
            name=record_name(n), mobile=f"+86138{n:08d}", owner=owner, department=department
        )
