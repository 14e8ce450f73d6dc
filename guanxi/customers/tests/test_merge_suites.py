"""The generic merge suite (``guanxi.framework.testing.merge``) for customers and contacts."""

from __future__ import annotations

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.merge import MergeSuite


class TestCustomerMerge(MergeSuite):
    model = Customer
    url_prefix = "/customers/"

    def make(self, n):
        return Customer.objects.create(name=f"华信科技{n}")

    def make_related(self, obj):
        contact = Contact.objects.create(name="李雷")
        return [
            FollowUp.objects.create(target=obj, customer=obj, content="电话"),
            Task.objects.create(target=obj, customer=obj, title="发方案"),
            CustomerContact.objects.create(customer=obj, contact=contact),
        ]


class TestContactMerge(MergeSuite):
    model = Contact
    url_prefix = "/contacts/"

    def make(self, n):
        return Contact.objects.create(name=f"李雷{n}")

    def make_related(self, obj):
        customer = Customer.objects.create(name="华信科技")
        return [
            CustomerContact.objects.create(customer=customer, contact=obj),
            FollowUp.objects.create(target=obj, customer=customer, content="电话"),
        ]
