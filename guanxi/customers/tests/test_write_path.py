"""The one write path, seen from every entry point: defaults, the department rule, verbs, versions.

Each rule is refused with the same message by every channel that can break it (form, API, bulk
edit, import), and what a refused write leaves behind is checked: nothing.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import override
from rest_framework.test import APIClient

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer
from guanxi.framework import write
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role

API = "/api/v1/customers/customers/"


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def make_customer(owner, **fields) -> Customer:
    with as_system():
        return Customer.objects.create(name=fields.pop("name", "飞海科技"), owner=owner, **fields)


# -- defaults -----------------------------------------------------------------------------------
def test_rep_with_own_scope_creates_through_the_api_without_naming_an_owner(team):
    response = api_as(team.rep1).post(API, {"name": "星河贸易"}, format="json")
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(pk=response.json()["id"])
    assert (customer.owner_id, customer.department_id) == (team.rep1.pk, team.east1.pk)
    assert (
        ObjectChange.objects.filter(
            changed_object_type__model="customer", changed_object_id=customer.pk, action="create"
        ).count()
        == 1
    )


def test_a_new_owner_brings_his_department(team):
    customer = make_customer(team.rep1)
    response = api_as(team.manager1).patch(f"{API}{customer.pk}/", {"owner": team.rep1b.pk}, format="json")
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.owner_id, customer.department_id) == (team.rep1b.pk, team.east1.pk)


@pytest.mark.parametrize("entity", ["customer", "contact"])
def test_the_department_follows_the_owner(team, entity):
    """rep1 cannot move his own record to another department (his manager would lose it)."""
    model, url = (Customer, API) if entity == "customer" else (Contact, "/api/v1/customers/contacts/")
    from guanxi.users.models import Department

    give_role(team.rep1, Department, "all", ["view"], name="rep-sees-departments")  # as in the demo
    with as_system():
        row = model.objects.create(name="飞海", owner=team.rep1)
    response = api_as(team.rep1).patch(f"{url}{row.pk}/", {"department": team.east2.pk}, format="json")
    assert response.status_code == 400
    assert "department" in response.json()["errors"]
    assert "follows the owner" in response.json()["errors"]["department"][0]
    row.refresh_from_db()
    assert row.department_id == team.east1.pk
    assert api_as(team.manager1).get(f"{url}{row.pk}/").status_code == 200


# -- the same rule, the same message, on every channel ----------------------------------------
COMPANY_WITH_GENDER = "Gender and birthday are for individual customers only."


def test_parity_individual_only_fields_on_form_api_and_import(team, client):
    """One model rule (``Customer.clean``), refused with one message by the form, the API and
    the importer; nothing is written by any of them."""
    before = Customer.objects.count()
    client.force_login(team.manager1)
    page = client.post(
        reverse("customers:customer_add"),
        {"name": "飞海科技", "kind": "company", "gender": "male", "level": "", "stage": "prospect"},
    )
    assert COMPANY_WITH_GENDER in page.content.decode()
    api = api_as(team.manager1).post(
        API, {"name": "飞海科技", "kind": "company", "gender": "male"}, format="json"
    )
    assert api.status_code == 400
    assert COMPANY_WITH_GENDER in api.json()["errors"]["kind"]
    import tempfile

    from guanxi.imports import engine

    give_role(team.manager1, Customer, "department_tree", ["view", "add", "import"], name="importer")
    manager = type(team.manager1).objects.get(pk=team.manager1.pk)
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/c.csv"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("名称,类型,性别\n飞海科技,company,male\n")
        with override("en"):
            batch = engine.run(engine.create_batch(manager, Customer, path, "c.csv"))
    assert batch.created == 0 and batch.failed == 1
    assert any(COMPANY_WITH_GENDER in message for _c, message in batch.rows.get().messages)
    assert Customer.objects.count() == before


# -- verbs ----------------------------------------------------------------------------------------
def test_export_needs_the_export_verb(team, client):
    make_customer(team.rep1)
    client.force_login(team.rep1)
    url = reverse("customers:customer_list")
    refused = client.get(url, {"export": "csv"})
    assert refused.status_code == 403
    assert "You may not export customers." in refused.content.decode()
    assert "export=csv" not in client.get(url).content.decode()  # no button to a 403
    client.force_login(team.manager1)
    allowed = client.get(url, {"export": "csv"})
    assert allowed.status_code == 200
    assert "飞海科技" in allowed.getvalue().decode("utf-8-sig")


def test_import_needs_the_import_verb(team, client):
    client.force_login(team.rep1)
    assert client.get(reverse("customers:customer_import")).status_code == 403
    upload = io.BytesIO("名称\n飞海科技\n".encode())
    upload.name = "customers.csv"
    assert client.post(reverse("customers:customer_import"), {"file": upload}).status_code == 403
    from guanxi.imports import engine

    with pytest.raises(PermissionDenied) as refused:
        engine.check_permission(team.rep1, Customer, "create")
    assert "You may not import customers." in str(refused.value)
    assert not Customer.objects.exists()


# -- versions and partial writes ------------------------------------------------------------------
def test_a_write_based_on_a_stale_version_is_a_409(team):
    customer = make_customer(team.rep1)
    client = api_as(team.rep1)
    etag = client.get(f"{API}{customer.pk}/")["ETag"]
    assert (
        client.patch(
            f"{API}{customer.pk}/", {"notes": "first"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    stale = client.patch(f"{API}{customer.pk}/", {"notes": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.json()["detail"]
    customer.refresh_from_db()
    assert customer.notes == "first"


def test_the_edit_form_refuses_to_save_over_a_newer_version(team, client):
    customer = make_customer(team.rep1, level="A")
    client.force_login(team.rep1)
    url = reverse("customers:customer_edit", args=[customer.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "tags"}
    with as_system():
        Customer.objects.filter(pk=customer.pk).first().save()  # someone else saves meanwhile
    data["notes"] = "mine"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    customer.refresh_from_db()
    assert customer.notes == ""


def test_an_update_saves_only_the_fields_it_changed(team):
    """Two writers that loaded the same row change different fields: both changes are kept."""
    customer = make_customer(team.rep1, custom_field_data={})
    first, second = Customer.objects.get(pk=customer.pk), Customer.objects.get(pk=customer.pk)
    first.notes, second.website = "from first", "https://feihai.example"
    with as_user(team.rep1):
        write.save_object(first, actor=team.rep1)
        write.save_object(second, actor=team.rep1)
    customer.refresh_from_db()
    assert (customer.notes, customer.website) == ("from first", "https://feihai.example")


def test_custom_field_values_merge_key_by_key():
    assert write.merge_custom_fields(
        {"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}, {"a": 9, "b": 2, "d": 5}
    ) == {
        "a": 9,  # someone else's change, untouched by this writer
        "b": 3,
        "c": 4,
        "d": 5,
    }
    assert write.merge_custom_fields({"a": 1}, {}, {"a": 1, "b": 2}) == {"b": 2}  # cleared by the writer


# -- leads: assignment stays inside the assigner's tree -------------------------------------------
def test_lead_assign_api_refuses_people_outside_the_managers_tree(team):
    from guanxi.customers.models import Lead

    give_role(team.manager1, Lead, "department_tree", ["view", "add", "change", "assign"], name="mgr-lead")
    with as_system():
        lead = Lead.objects.create(name="赵六", company="飞海", owner=team.rep1)
    manager = type(team.manager1).objects.get(pk=team.manager1.pk)
    response = api_as(manager).post(
        f"/api/v1/customers/leads/{lead.pk}/assign/", {"owner": team.rep2.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()["errors"]
    lead.refresh_from_db()
    assert lead.owner_id == team.rep1.pk


# -- bulk mode --------------------------------------------------------------------------------------
def test_bulk_create_writes_rows_history_events_and_search_keys_in_chunks(team):
    from guanxi.core.models import Event, SearchEntry
    from guanxi.framework import changes
    from guanxi.framework.search import search

    rows = [Customer(name=f"批量客户{i:03d}", phone=f"+86139{i:08d}") for i in range(25)]
    with as_user(team.rep1), changes.buffered(chunk_size=10) as buffer:
        write.bulk_create_objects(Customer, rows, actor=team.rep1, validate=True, batch_size=10)
        assert buffer.flushed_changes >= 20  # flushed in chunks before the end of the block
    created = Customer.objects.filter(name__startswith="批量客户")
    assert created.count() == 25
    assert set(created.values_list("owner_id", "department_id")) == {(team.rep1.pk, team.east1.pk)}
    assert created.exclude(name_key="").count() == 25  # the model's before_write ran
    ids = set(created.values_list("pk", flat=True))
    logged = ObjectChange.objects.filter(changed_object_type__model="customer", changed_object_id__in=ids)
    assert logged.filter(action="create").count() == 25
    assert (
        Event.objects.filter(entity_type__model="customer", object_id__in=ids, kind="created").count() == 25
    )
    assert SearchEntry.objects.filter(object_id__in=ids).count() >= 25 * 3  # name, pinyin, initials…
    assert {hit.object.pk for hit in search(team.rep1, "plkh", models_=[Customer], limit=50)} == ids


@pytest.mark.django_db
def test_bulk_create_is_all_or_nothing():
    from django.core.exceptions import ValidationError

    from guanxi.core.models import Event

    before = (Customer.objects.count(), ObjectChange.objects.count(), Event.objects.count())
    rows = [Customer(name="好客户"), Customer(name="坏客户", kind="company", gender="male")]
    with as_system(), pytest.raises(ValidationError) as refused:
        write.bulk_create_objects(Customer, rows, actor=None, validate=True)
    assert list(refused.value.message_dict) == ["1.kind"]  # the row's index and field name the bad one
    assert (Customer.objects.count(), ObjectChange.objects.count(), Event.objects.count()) == before


def test_a_row_deleted_inside_bulk_mode_keeps_no_search_keys(team):
    from guanxi.core.models import SearchEntry
    from guanxi.framework import changes

    customer = make_customer(team.rep1, name="将删除的客户")
    with as_user(team.rep1), changes.buffered():
        customer.notes = "改一下"
        write.save_object(customer, actor=team.rep1)  # its key refresh waits for the flush…
        write.delete_object(customer, actor=team.rep1)  # …and must not bring the keys back
    assert not SearchEntry.objects.filter(object_id=customer.pk, content_type__model="customer").exists()


def test_bulk_update_follows_the_owner_rules_of_a_single_save(team):
    """``bulk_update_objects`` applies ``apply_owner_rules``' rule (one helper for both paths): a
    new owner brings his department; a department moved alone is refused with the same message,
    keyed by the row, and nothing is written."""
    moved, alone = make_customer(team.rep1, name="甲"), make_customer(team.rep1, name="乙")
    single = make_customer(team.rep1, name="丙")
    single.department_id = team.east2.pk
    with pytest.raises(ValidationError) as refused_single, as_user(team.manager1):
        write.save_object(single, actor=team.manager1)
    moved.owner_id = team.rep2.pk  # of east2
    alone.department_id = team.east2.pk
    with pytest.raises(ValidationError) as refused_bulk, as_user(team.manager1):
        write.bulk_update_objects(Customer, [moved, alone], actor=team.manager1)
    expected = refused_single.value.message_dict["department"]
    assert refused_bulk.value.message_dict == {"1.department": expected}
    assert Customer.objects.get(pk=alone.pk).department_id == team.east1.pk
    assert Customer.objects.get(pk=moved.pk).owner_id == team.rep1.pk  # all or nothing
    alone.department_id = team.east1.pk
    with as_user(team.manager1):  # (a hand-over out of the manager's sight: not checked here)
        write.bulk_update_objects(Customer, [moved, alone], actor=team.manager1, check_visible=False)
    moved.refresh_from_db()
    assert (moved.owner_id, moved.department_id) == (team.rep2.pk, team.east2.pk)
