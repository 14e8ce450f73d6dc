"""The customers demo step: valid codes and phones, believable owners, contacts, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.customers.validators import validate_credit_code

pytestmark = pytest.mark.django_db


def test_demo_customers(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 40)
    monkeypatch.setattr("guanxi.customers.demo_pools.POOLED_COUNT", 0)  # pooled rows: test_pool_demo.py
    call_command("demo", "--quiet")
    customers = list(Customer.objects.select_related("owner"))

    assert len(customers) == 40
    assert {c.owner.job_title for c in customers} <= {"销售代表", "销售经理"}
    assert len({c.name for c in customers}) == 40
    companies = [c for c in customers if c.kind == Customer.Kind.COMPANY]
    individuals = [c for c in customers if c.kind == Customer.Kind.INDIVIDUAL]
    assert companies and individuals
    for customer in companies:
        validate_credit_code(customer.credit_code)
    assert all(c.gender and c.birthday and not c.credit_code for c in individuals)
    assert all(c.phone.startswith("+861") and len(c.phone) == 14 for c in customers)
    assert all(c.department_id == c.owner.department_id for c in customers)
    for customer in customers:
        links = list(CustomerContact.objects.filter(customer=customer))
        assert 1 <= len(links) <= 3
        assert [link.is_primary for link in links].count(True) == 1
        assert all(link.contact.owner_id == customer.owner_id for link in links)
    assert Contact.objects.count() == CustomerContact.objects.count()
    assert ObjectChange.objects.filter(changed_object_type__model="customer", source="demo").count() == 40

    call_command("demo", "--quiet")  # idempotent
    assert Customer.objects.count() == 40
