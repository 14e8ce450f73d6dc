"""Roles, their grants and field rules over the API: through the services, for role managers only."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import FieldRule, Role, RoleGrant, User

pytestmark = pytest.mark.django_db
ROLES = "/api/v1/users/roles/"


@pytest.fixture
def admin() -> Any:
    return make_user("boss", superuser=True)


@pytest.fixture
def role() -> Role:
    with as_system():
        return Role.objects.create(name="渠道销售")


def test_rep_is_refused(role: Role) -> None:
    with as_system():
        rep = User.objects.create_user("rep", password="x")
        Role.objects.get(name="销售代表").users.add(rep)
    client = token_client(User.objects.get(pk=rep.pk))
    grants = [{"content_type": "customers.customer", "actions": ["view"], "scope": "all"}]
    assert client.put(f"{ROLES}{role.pk}/grants/", grants, format="json").status_code in (403, 404)
    assert client.post(ROLES, {"name": "我的角色"}, format="json").status_code == 403
    assert not RoleGrant.objects.filter(role=role).exists()


def test_create_role_and_set_grants_and_field_rules(admin: Any) -> None:
    client = token_client(admin)
    created = client.post(ROLES, {"name": "大客户", "name_en": "Key accounts"}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    grants = [{"content_type": "customers.customer", "actions": ["view", "change"], "scope": "department"}]
    response = client.put(f"{ROLES}{pk}/grants/", grants, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == grants
    rules = [{"content_type": "customers.customer", "field": "id_number", "access": "hidden"}]
    response = client.put(f"{ROLES}{pk}/field-rules/", rules, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == rules
    detail = client.get(f"{ROLES}{pk}/").json()
    assert detail["grants"] == grants and detail["field_rules"] == rules
    assert FieldRule.objects.get(role_id=pk).access == "hidden"
    # The services wrote the change log, as the role page does.
    assert (
        ObjectChange.objects.filter(related_object_id=pk).exists()
        or ObjectChange.objects.filter(changed_object_id=pk).exists()
    )
    # Empty actions remove the grant; an empty access makes the field visible again.
    client.put(f"{ROLES}{pk}/grants/", [{**grants[0], "actions": []}], format="json")
    client.put(f"{ROLES}{pk}/field-rules/", [{**rules[0], "access": ""}], format="json")
    assert client.get(f"{ROLES}{pk}/").json()["grants"] == []
    assert not FieldRule.objects.filter(role_id=pk).exists()


def test_new_grant_applies_on_the_next_request(admin: Any, role: Role) -> None:
    with as_system():
        rep = User.objects.create_user("rep2", password="x")
        role.users.add(rep)
        Customer.objects.create(name="星河科技")
    rep_client = token_client(User.objects.get(pk=rep.pk))
    assert rep_client.get("/api/v1/customers/customers/").status_code == 403
    grants = [{"content_type": "customers.customer", "actions": ["view"], "scope": "all"}]
    assert token_client(admin).put(f"{ROLES}{role.pk}/grants/", grants, format="json").status_code == 200
    response = rep_client.get("/api/v1/customers/customers/")
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"content_type": "customers.nothing", "actions": ["view"], "scope": "all"}], "content_type"),
        ([{"content_type": "customers.customer", "actions": ["fly"], "scope": "all"}], "actions"),
        ([{"content_type": "customers.customer", "actions": ["change"], "scope": "all"}], "actions"),
        ([{"content_type": "customers.customer", "actions": ["view"], "scope": "galaxy"}], "scope"),
        ([{"content_type": "core.objectchange", "actions": ["view"], "scope": "all"}], "actions"),
        ([{"content_type": "customers.customer", "actions": ["view"]}], "scope"),
    ],
)
def test_bad_grants_are_400_with_the_field(admin: Any, role: Role, body: Any, field: str) -> None:
    response = token_client(admin).put(f"{ROLES}{role.pk}/grants/", body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not RoleGrant.objects.filter(role=role).exists()


@pytest.mark.parametrize(
    "body",
    [
        [{"content_type": "customers.customer", "field": "no_such_field", "access": "hidden"}],
        [{"content_type": "customers.customer", "field": "name", "access": "blurred"}],
    ],
)
def test_bad_field_rules_are_400(admin: Any, role: Role, body: Any) -> None:
    response = token_client(admin).put(f"{ROLES}{role.pk}/field-rules/", body, format="json")
    assert response.status_code == 400
    assert "field_rules" in response.json() or "field_rules" in str(response.json())
    assert not FieldRule.objects.filter(role=role).exists()


def test_shipped_role_cannot_be_deleted(admin: Any) -> None:
    shipped = Role.objects.get(name="销售代表")
    response = token_client(admin).delete(f"{ROLES}{shipped.pk}/")
    assert response.status_code == 400
    assert Role.objects.filter(pk=shipped.pk).exists()
