"""``/api/v1/recyclebin/entries/``: list what the caller may restore, restore (409 on a refusal),
purge (administrators; 403 otherwise); an entry outside the caller's rules is a 404."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_user
from guanxi.framework.write import delete_object
from guanxi.recyclebin.models import RecycleBinEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/recyclebin/entries/"


@pytest.fixture
def deleted():
    rep = make_user("rep", perms=["customers.view_customer", "customers.delete_customer"])
    with as_user(rep):
        customer = Customer.objects.create(name="接口客户", owner=rep)
        delete_object(customer, actor=rep)
    return rep, RecycleBinEntry.objects.get()


def test_list_filter_and_restore(deleted):
    rep, entry = deleted
    api = token_client(rep)
    body = api.get(URL, {"type": "customers.customer"}).json()
    assert [(e["id"], e["type"], e["object_repr"], e["deleted_by"]["id"]) for e in body["results"]] == [
        (entry.pk, "customers.customer", "接口客户", rep.pk)
    ]
    assert api.get(URL, {"type": "customers.contact"}).json()["results"] == []
    assert api.get(URL, {"deleted_by": "x"}).json()["results"] == []
    response = api.post(f"{URL}{entry.pk}/restore/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "type": "customers.customer",
        "id": entry.object_id,
        "url": f"/customers/{entry.object_id}/",
        "display": "接口客户",
        "left_out": 0,
    }
    assert Customer.objects.filter(pk=entry.object_id).exists()
    assert api.post(f"{URL}{entry.pk}/restore/").status_code == 404


def test_refusals_change_nothing(deleted):
    rep, entry = deleted
    stranger = make_user("stranger", perms=["customers.view_customer"])
    assert token_client(stranger).post(f"{URL}{entry.pk}/restore/").status_code == 404
    assert token_client(stranger).get(URL).json()["results"] == []
    assert token_client(rep).delete(f"{URL}{entry.pk}/").status_code == 403
    clone = RecycleBinEntry.objects.get(pk=entry.pk)
    clone.pk = None
    clone.save()
    assert token_client(rep).post(f"{URL}{entry.pk}/restore/").status_code == 200
    conflict = token_client(rep).post(f"{URL}{clone.pk}/restore/")
    assert conflict.status_code == 409
    assert "cannot be restored" in conflict.json()["detail"]
    assert RecycleBinEntry.objects.filter(pk=clone.pk).exists()


def test_administrators_purge(deleted):
    _rep, entry = deleted
    admin = make_user("root", superuser=True)
    assert token_client(admin).delete(f"{URL}{entry.pk}/").status_code == 204
    assert not RecycleBinEntry.objects.exists()
