"""Simultaneous partial updates of one record keep every change that was answered 200.

Found from outside: five simultaneous PATCHes of different fields of one customer lost at least
one field in 10 of 10 rounds, all answering 200; twenty simultaneous PATCHes of different
custom-field keys kept 11 of 20. The write path saves only the changed fields and merges custom
fields under a row lock (``guanxi.framework.write``).

Every request runs for real on both databases: on PostgreSQL, and on SQLite against a shared
database file where a writer waits for the write lock as in production
(``guanxi.framework.testing.concurrency``); so every PATCH must answer 200 and every change stick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from guanxi.core.models import CustomField
from guanxi.customers.models import Customer
from guanxi.framework.testing.concurrency import in_thread, run_together
from guanxi.framework.testing.fixtures import as_system

API = "/api/v1/customers/customers/"


def patcher(user: Any, pk: int, body: dict[str, Any]) -> Callable[[], Any]:
    def send() -> Any:
        client = APIClient()
        client.force_authenticate(user)
        return client.patch(f"{API}{pk}/", body, format="json")

    return send


@pytest.mark.django_db(transaction=True)
def test_simultaneous_patches_of_different_fields_all_stick(admin_user, shared_database):
    with as_system():
        customer = Customer.objects.create(name="飞海科技", owner=admin_user)
    shared_database()  # the customer and the user, where the threads look for them
    bodies = [
        {"notes": "备注"},
        {"website": "https://feihai.example"},
        {"address": "上海市浦东新区"},
        {"short_name": "飞海"},
        {"wechat_id": "feihai2026"},
    ]
    names = [next(iter(b)) for b in bodies]
    for _round in range(3):
        sends = [patcher(admin_user, customer.pk, body) for body in bodies]
        results = run_together(len(sends), lambda i, sends=sends: sends[i]().status_code)
        assert results == [200] * len(bodies), results
        row = in_thread(lambda: Customer.objects.values(*names).get(pk=customer.pk))
        assert row == {name: value for body in bodies for name, value in body.items()}, results
        in_thread(lambda: Customer.objects.filter(pk=customer.pk).update(**dict.fromkeys(names, "")))


@pytest.mark.django_db(transaction=True)
def test_simultaneous_patches_of_different_custom_fields_all_stick(admin_user, shared_database):
    with as_system():
        for i in range(20):
            CustomField.objects.create(
                content_type_id=_customer_ct(), name=f"k{i}", label=f"键{i}", type="text"
            )
        customer = Customer.objects.create(name="飞海科技", owner=admin_user)
    shared_database()
    sends = [patcher(admin_user, customer.pk, {"custom_fields": {f"k{i}": f"v{i}"}}) for i in range(20)]
    results = run_together(len(sends), lambda i: sends[i]().status_code)
    assert results == [200] * 20, results
    stored = in_thread(lambda: Customer.objects.get(pk=customer.pk).custom_field_data)
    assert {k: stored.get(k) for k in (f"k{i}" for i in range(20))} == {f"k{i}": f"v{i}" for i in range(20)}


def _customer_ct() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Customer).pk
