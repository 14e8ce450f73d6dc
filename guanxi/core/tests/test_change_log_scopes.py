"""The change log through the API obeys an app-scoped token: ``core:read`` is refused on customers
and must not read their values through ``/api/v1/core/changes/`` either."""

from __future__ import annotations

import pytest

from guanxi.core.models import ObjectChange, Tag
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
CHANGES = "/api/v1/core/changes/"


@pytest.fixture
def boss():
    return make_user("boss", superuser=True)


@pytest.fixture
def records():
    with as_system():
        customer = Customer.objects.create(name="星河科技有限公司", phone="13800138000")
        tag = Tag.objects.create(name="VIP", slug="vip")
    customer_change = ObjectChange.objects.get(
        changed_object_id=customer.pk, changed_object_type__model="customer"
    )
    tag_change = ObjectChange.objects.get(changed_object_id=tag.pk, changed_object_type__model="tag")
    return customer, tag, customer_change, tag_change


def types_in(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["object_type"] for row in response.json()["results"]}


def test_a_core_token_reads_core_changes_but_not_customer_values(boss, records):
    customer, _tag, customer_change, tag_change = records
    core = token_client(boss, scopes=["core:read"])
    assert core.get("/api/v1/customers/customers/").status_code == 403
    assert types_in(core.get(CHANGES)) == {"core.tag"}
    body = core.get(CHANGES).content.decode()
    assert "星河科技" not in body and "13800138000" not in body
    one_record = core.get(CHANGES, {"object_type": "customers.customer", "object_id": customer.pk})
    assert one_record.json()["results"] == []
    assert core.get(f"{CHANGES}{customer_change.pk}/").status_code == 404
    assert core.get(f"{CHANGES}{tag_change.pk}/").status_code == 200


def test_a_customers_token_reads_customer_changes_only(boss, records):
    _customer, _tag, customer_change, tag_change = records
    customers = token_client(boss, scopes=["customers:read"])
    assert types_in(customers.get(CHANGES)) == {"customers.customer"}
    assert (
        customers.get(f"{CHANGES}{customer_change.pk}/").json()["postchange_data"]["name"]
        == "星河科技有限公司"
    )
    assert customers.get(f"{CHANGES}{tag_change.pk}/").status_code == 404


def test_app_less_scopes_and_sessions_read_every_app(boss, records, client):
    assert types_in(token_client(boss, scopes=["read"]).get(CHANGES)) >= {"core.tag", "customers.customer"}
    assert types_in(token_client(boss, scopes=["customers:write", "core:read"]).get(CHANGES)) >= {
        "core.tag",
        "customers.customer",
    }
    client.force_login(boss)
    assert types_in(client.get(CHANGES)) >= {"core.tag", "customers.customer"}


def test_the_token_narrows_but_never_widens_what_the_user_may_view(records):
    viewer = make_user("viewer", perms=["core.view_tag"])  # no access to customers
    assert types_in(token_client(viewer, scopes=["read"]).get(CHANGES)) == {"core.tag"}
    assert types_in(token_client(viewer, scopes=["customers:read"]).get(CHANGES)) == set()


def test_scopes_name_the_apps_a_token_reads():
    from guanxi.users.models import APIToken

    assert APIToken(scopes=["read"]).readable_apps() is None
    assert APIToken(scopes=["core:read", "customers:write"]).readable_apps() == {"core", "customers"}
    assert APIToken(scopes=["customers:write", "write"]).readable_apps() is None
    assert APIToken(scopes=[]).readable_apps() == set()
