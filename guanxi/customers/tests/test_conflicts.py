"""撞单: creating or editing a customer that matches another rep's is refused, warned or allowed."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import ObjectChange
from guanxi.customers.conftest import set_policy
from guanxi.customers.models import Customer, CustomerSettings
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import FieldRule, Role

pytestmark = pytest.mark.django_db

PHONE = "+8613912345678"


@pytest.fixture
def taken(team):
    """王芳's customer, whose phone and name 陈静 will try to use."""
    with as_system():
        return Customer.objects.create(name="苏州明远精密机械有限公司", phone=PHONE, owner=team.rep1)


def form(**extra):
    return {"kind": "company", "name": "杭州新客户有限公司", "stage": "prospect", "status": "active", **extra}


def test_refuse_form_create_names_the_owner_and_saves_nothing(client, team, taken):
    client.force_login(team.rep2)
    response = client.post("/customers/add/", form(phone="139 1234 5678"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Customer “苏州明远精密机械有限公司” already exists, owned by 王芳 (same phone)." in page
    assert 'name="confirm_conflict"' not in page  # refuse: no way around it
    assert Customer.objects.count() == 1


def test_refuse_message_in_chinese(client, team, taken):
    with as_system():
        team.rep2.language = "zh-hans"
        team.rep2.save()
    client.force_login(team.rep2)
    page = client.post("/customers/add/", form(phone=PHONE)).content.decode()
    assert "客户“苏州明远精密机械有限公司”已存在，负责人：王芳（电话相同）。" in page


def test_near_identical_company_name_conflicts(client, team, taken):
    client.force_login(team.rep2)
    page = client.post("/customers/add/", form(name="苏州明远精密机械有限公司")).content.decode()
    assert "owned by 王芳 (near-identical name)" in page
    assert Customer.objects.count() == 1


def test_owner_hidden_by_a_field_rule_becomes_another_colleague(client, team, taken):
    role = Role.objects.get(name="rep-rep2")
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Customer),
            field_name="owner",
            access="hidden",
        )
    client.force_login(team.rep2)
    page = client.post("/customers/add/", form(phone=PHONE)).content.decode()
    assert "owned by another colleague (same phone)" in page
    assert "王芳" not in page


def test_edit_that_changes_the_phone_is_checked(client, team, taken):
    with as_system():
        mine = Customer.objects.create(name="陈静的客户", phone="+8613700000000", owner=team.rep2)
    client.force_login(team.rep2)
    response = client.post(
        f"/customers/{mine.pk}/edit/", form(name="陈静的客户", phone=PHONE, owner=team.rep2.pk)
    )
    assert "owned by 王芳 (same phone)" in response.content.decode()
    mine.refresh_from_db()
    assert mine.phone == "+8613700000000"


def test_edit_that_keeps_the_matching_values_is_not_blocked(client, team, taken):
    """A row that already matches (co-owned under an earlier policy) can still be edited."""
    with as_system():
        twin = Customer.objects.create(name="另一家公司", phone=PHONE, owner=team.rep2)
    client.force_login(team.rep2)
    response = client.post(
        f"/customers/{twin.pk}/edit/", form(name="另一家公司", phone=PHONE, notes="x", owner=team.rep2.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    twin.refresh_from_db()
    assert twin.notes == "x"


def test_the_owners_own_second_customer_is_no_conflict(client, team, taken):
    client.force_login(team.rep1)
    assert client.post("/customers/add/", form(phone=PHONE)).status_code == 302


def test_warn_form_asks_then_saves_when_confirmed(client, team, taken):
    set_policy("warn")
    client.force_login(team.rep2)
    page = client.post("/customers/add/", form(phone=PHONE)).content.decode()
    assert "owned by 王芳" in page and 'name="confirm_conflict"' in page
    assert Customer.objects.count() == 1
    response = client.post("/customers/add/", form(phone=PHONE, confirm_conflict="on"))
    assert response.status_code == 302
    created = Customer.objects.get(name="杭州新客户有限公司")
    assert (created.owner, created.phone) == (team.rep2, PHONE)
    ct = ContentType.objects.get_for_model(Customer)
    assert ObjectChange.objects.filter(
        changed_object_type=ct, changed_object_id=created.pk, action="create"
    ).exists()


def test_allow_policy_creates_without_asking(client, team, taken):
    set_policy("allow")
    client.force_login(team.rep2)
    assert client.post("/customers/add/", form(phone=PHONE)).status_code == 302
    assert Customer.objects.filter(phone=PHONE).count() == 2


def test_api_conflict_is_409_with_the_matches(team, taken):
    api = token_client(team.rep2)
    response = api.post("/api/v1/customers/customers/", form(phone="13912345678"), format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "Customer “苏州明远精密机械有限公司” already exists, owned by 王芳 (same phone)."
    # rep2 may not open 王芳's customer: its id is not given away, its name and owner are
    assert body["matches"] == [
        {
            "id": None,
            "name": "苏州明远精密机械有限公司",
            "owner": "王芳",
            "field": "phone",
            "reason": "same phone",
        }
    ]
    assert Customer.objects.count() == 1


def test_api_conflict_in_chinese(team, taken):
    with as_system():
        team.rep2.language = "zh-hans"
        team.rep2.save()
    response = token_client(team.rep2).post("/api/v1/customers/customers/", form(phone=PHONE), format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "客户“苏州明远精密机械有限公司”已存在，负责人：王芳（电话相同）。"
    assert response.json()["matches"][0]["reason"] == "电话相同"


def test_api_warn_needs_confirm_conflict(team, taken):
    set_policy("warn")
    api = token_client(team.rep2)
    url = "/api/v1/customers/customers/"
    assert api.post(url, form(phone=PHONE), format="json").status_code == 409
    response = api.post(url, form(phone=PHONE, confirm_conflict=True, owner=team.rep2.pk), format="json")
    assert response.status_code == 201, response.json()
    assert "confirm_conflict" not in response.json()
    assert Customer.objects.filter(phone=PHONE).count() == 2


def test_api_patch_into_a_conflict_is_409_and_changes_nothing(team, taken):
    with as_system():
        mine = Customer.objects.create(name="陈静的客户", phone="+8613700000000", owner=team.rep2)
    response = token_client(team.rep2).patch(
        f"/api/v1/customers/customers/{mine.pk}/", {"phone": PHONE}, format="json"
    )
    assert response.status_code == 409
    mine.refresh_from_db()
    assert mine.phone == "+8613700000000"


def test_settings_page_is_for_administrators(client, team, admin_user):
    client.force_login(team.rep2)
    assert client.get("/customers/settings/").status_code == 403
    assert client.post("/customers/settings/", {"conflict_policy": "allow"}).status_code == 403
    assert CustomerSettings.current().conflict_policy == "refuse"
    client.force_login(admin_user)
    assert client.get("/customers/settings/").status_code == 200
    assert client.post("/customers/settings/", {"conflict_policy": "warn"}).status_code == 302
    assert CustomerSettings.current().conflict_policy == "warn"
    ct = ContentType.objects.get_for_model(CustomerSettings)
    change = ObjectChange.objects.get(changed_object_type=ct)
    assert (change.user, change.postchange_data["conflict_policy"]) == (admin_user, "warn")
    assert client.post("/customers/settings/", {"conflict_policy": "nonsense"}).status_code == 200
    assert CustomerSettings.current().conflict_policy == "warn"
