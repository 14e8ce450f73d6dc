"""Simultaneous partial updates of one record keep every change that was answered 200.

Found from outside: five simultaneous PATCHes of different fields of one customer lost at least
one field in 10 of 10 rounds, all answering 200; twenty simultaneous PATCHes of different
custom-field keys kept 11 of 20. The write path saves only the changed fields and merges custom
fields under a row lock (``guanxi.framework.write``).

PostgreSQL runs every request for real (all must succeed). SQLite's in-memory test database
refuses concurrent access instead of waiting (a locked table); a refused request changed nothing,
so the invariant checked on both is the same: every write answered 200 is in the row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from guanxi.core.models import CustomField
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system

API = "/api/v1/customers/customers/"


def run_together(requests: list[Callable[[], Any]]) -> list[Any]:
    """Start every request at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = requests[index]().status_code
        except OperationalError:
            results[index] = "refused"  # SQLite's in-memory database only
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def patcher(user: Any, pk: int, body: dict[str, Any]) -> Callable[[], Any]:
    def send() -> Any:
        client = APIClient()
        client.force_authenticate(user)
        return client.patch(f"{API}{pk}/", body, format="json")

    return send


def check(results: list[Any]) -> None:
    assert all(r in (200, "refused") for r in results), results
    if connection.vendor == "postgresql":
        assert results == [200] * len(results)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_patches_of_different_fields_all_stick(admin_user):
    with as_system():
        customer = Customer.objects.create(name="飞海科技", owner=admin_user)
    bodies = [
        {"notes": "备注"},
        {"website": "https://feihai.example"},
        {"address": "上海市浦东新区"},
        {"short_name": "飞海"},
        {"wechat_id": "feihai2026"},
    ]
    for _round in range(3):
        results = run_together([patcher(admin_user, customer.pk, body) for body in bodies])
        check(results)
        row = Customer.objects.values(*[next(iter(b)) for b in bodies]).get(pk=customer.pk)
        for body, result in zip(bodies, results, strict=True):
            ((name, value),) = body.items()
            if result == 200:
                assert row[name] == value, (name, results)
        with as_system():
            Customer.objects.filter(pk=customer.pk).update(
                notes="", website="", address="", short_name="", wechat_id=""
            )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_patches_of_different_custom_fields_all_stick(admin_user):
    with as_system():
        for i in range(20):
            CustomField.objects.create(
                content_type_id=_customer_ct(), name=f"k{i}", label=f"键{i}", type="text"
            )
        customer = Customer.objects.create(name="飞海科技", owner=admin_user)
    results = run_together(
        [patcher(admin_user, customer.pk, {"custom_fields": {f"k{i}": f"v{i}"}}) for i in range(20)]
    )
    check(results)
    stored = Customer.objects.get(pk=customer.pk).custom_field_data
    kept = {f"k{i}" for i, r in enumerate(results) if r == 200}
    assert {k for k in kept if stored.get(k) == f"v{k[1:]}"} == kept, (stored, results)


def _customer_ct() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Customer).pk
