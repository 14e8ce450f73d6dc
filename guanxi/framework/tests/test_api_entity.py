"""The generic entity API on a full PrimaryModel (the test app's Gadget): owner, tags, custom fields,
bulk writes, pagination and query counts."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import CustomField, ObjectChange, Tag
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.context import Source, actor_context
from guanxi.framework.tags import set_tags
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department

# The test app's Gadget API (guanxi/framework/testing/testapp/api/urls.py) is the three-class recipe
# every business module follows; api_urls discovers it like any app's API.
pytestmark = [pytest.mark.django_db]
GADGETS = "/api/v1/testapp/gadgets/"


def gadget_changes():
    return ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Gadget))


@pytest.fixture
def sales():
    with actor_context(None, source=Source.TEST):
        return Department.objects.create(name="销售部")


@pytest.fixture
def rep(sales):
    return make_user(
        "rep",
        perms=["testapp.view_gadget", "testapp.add_gadget", "testapp.change_gadget", "testapp.delete_gadget"],
        department=sales,
        name="张三",
    )


@pytest.fixture
def tags():
    with actor_context(None, source=Source.TEST):
        return [
            Tag.objects.create(name=n, slug=s)
            for n, s in (("VIP", "vip"), ("渠道", "channel"), ("Hot", "hot"))
        ]


def make_gadgets(n: int, owner=None, tag_list=()):
    with actor_context(None, source=Source.TEST):
        out = []
        for i in range(n):
            gadget = Gadget.objects.create(name=f"G{i:02d}", code=f"C{i:02d}", owner=owner)
            if tag_list:
                set_tags(gadget, tag_list)
            out.append(gadget)
    return out


def test_create_with_owner_tags_and_custom_fields_is_one_logged_change(rep, sales, tags):
    with actor_context(None, source=Source.TEST):
        CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Gadget),
            name="colour",
            label="颜色",
            type="select",
            choices=[{"value": "red", "label": "红"}],
        )
    client = token_client(rep)
    response = client.post(
        GADGETS,
        {
            "name": "Widget",
            "code": "W1",
            "price": "12.50",
            "owner": rep.pk,
            "tags": ["vip", tags[1].pk],
            "custom_fields": {"colour": "red"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    gadget = Gadget.objects.get()
    assert list(body) == [
        "id",
        "url",
        "display",
        "name",
        "code",
        "price",
        "status",
        "phone",
        "list_price",
        "discount",
        "owner",
        "department",
        "tags",
        "custom_fields",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    assert body["owner"] == {
        "id": rep.pk,
        "url": f"http://testserver/api/v1/users/users/{rep.pk}/",
        "display": "张三",
    }
    assert body["department"] == {
        "id": sales.pk,
        "url": f"http://testserver/api/v1/users/departments/{sales.pk}/",
        "display": "销售部",
    }
    assert body["tags"] == [
        {"id": tags[0].pk, "name": "VIP", "slug": "vip", "color": "blue"},
        {"id": tags[1].pk, "name": "渠道", "slug": "channel", "color": "blue"},
    ]
    assert (body["price"], body["custom_fields"]) == ("12.50", {"colour": "red"})
    change = gadget_changes().get()
    assert (change.action, change.source, change.user_id) == ("create", "api", rep.pk)
    assert change.postchange_data["tags"] == ["VIP", "渠道"]
    assert change.postchange_data["owner"] == rep.pk
    assert gadget.department_id == sales.pk


def test_replacing_tags_logs_one_update_and_unchanged_tags_log_nothing(rep, tags):
    (gadget,) = make_gadgets(1, owner=rep, tag_list=tags[:1])
    client = token_client(rep)
    before = gadget_changes().count()
    response = client.patch(f"{GADGETS}{gadget.pk}/", {"tags": ["hot", "channel"]}, format="json")
    assert [t["slug"] for t in response.json()["tags"]] == ["hot", "channel"]  # sorted by name: Hot, 渠道
    change = gadget_changes().order_by("-pk").first()
    assert gadget_changes().count() == before + 1
    assert (change.action, change.source, change.user_id) == ("update", "api", rep.pk)
    assert (change.prechange_data, change.postchange_data) == ({"tags": ["VIP"]}, {"tags": ["Hot", "渠道"]})
    client.patch(f"{GADGETS}{gadget.pk}/", {"tags": ["channel", "hot"]}, format="json")
    assert gadget_changes().count() == before + 1


def test_unknown_tags_and_invisible_owners_are_field_errors(rep, tags):
    other = make_user("other")
    client = token_client(rep)
    unknown = client.post(GADGETS, {"name": "W", "code": "W", "tags": ["vip", "nope", 999]}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"tags": ["Unknown tags: 999, nope."]}
    not_list = client.post(GADGETS, {"name": "W", "code": "W", "tags": "vip"}, format="json")
    assert not_list.json()["errors"] == {"tags": ["Give a list of tag slugs or ids."]}
    hidden_owner = client.post(GADGETS, {"name": "W", "code": "W", "owner": other.pk}, format="json")
    assert hidden_owner.status_code == 400
    assert hidden_owner.json()["errors"] == {
        "owner": [f"No record with id {other.pk} exists, or you may not see it."]
    }
    wrong_type = client.post(GADGETS, {"name": "W", "code": "W", "owner": "me"}, format="json")
    assert wrong_type.json()["errors"] == {"owner": ["Give the id of the record (a whole number), not str."]}
    assert not Gadget.objects.exists()


def test_bulk_patch_is_all_or_nothing(rep):
    first, second = make_gadgets(2, owner=rep)
    client = token_client(rep)
    before = ObjectChange.objects.count()
    failed = client.patch(
        GADGETS, [{"id": first.pk, "name": "Renamed"}, {"id": second.pk, "price": "abc"}], format="json"
    )
    assert failed.status_code == 400
    assert failed.json()["errors"] == {"1.price": ["A valid number is required."]}
    first.refresh_from_db()
    assert first.name == "G00"
    assert ObjectChange.objects.count() == before

    ok = client.patch(
        GADGETS, [{"id": first.pk, "name": "A"}, {"id": second.pk, "status": "retired"}], format="json"
    )
    assert ok.status_code == 200
    assert [(row["id"], row["name"], row["status"]) for row in ok.json()] == [
        (first.pk, "A", "active"),
        (second.pk, "G01", "retired"),
    ]
    new = list(ObjectChange.objects.filter(pk__gt=0).order_by("pk"))[-2:]
    assert [c.postchange_data for c in new] == [{"name": "A"}, {"status": "retired"}]
    assert new[0].request_id == new[1].request_id
    assert {c.source for c in new} == {"api"}


def test_bulk_delete_is_all_or_nothing(rep):
    first, second = make_gadgets(2, owner=rep)
    client = token_client(rep)
    bad = client.delete(GADGETS, [{"id": first.pk}, {"id": 10**6}, {"id": "x"}], format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "1.id": ["No record with id 1000000 exists, or you may not change it."],
        "2.id": ["Give the id of the record (a whole number)."],
    }
    assert Gadget.objects.count() == 2
    assert client.delete(GADGETS, {"id": first.pk}, format="json").status_code == 400
    assert client.delete(GADGETS, [{"id": first.pk}, {"id": second.pk}], format="json").status_code == 204
    assert not Gadget.objects.exists()
    assert list(gadget_changes().filter(action="delete").values_list("source", flat=True)) == ["api", "api"]


def test_list_without_count_skips_the_count_query(rep):
    make_gadgets(25, owner=rep)
    client = token_client(rep)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(GADGETS, {"count": "false", "page_size": 10, "page": 2}).json()
    assert page["count"] is None
    assert [row["name"] for row in page["results"]] == [f"G{i:02d}" for i in range(10, 20)]
    assert page["next"] == "http://testserver/api/v1/testapp/gadgets/?count=false&page=3&page_size=10"
    assert page["previous"] == "http://testserver/api/v1/testapp/gadgets/?count=false&page_size=10"
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    last = client.get(GADGETS, {"count": "false", "page_size": 10, "page": 3}).json()
    assert (len(last["results"]), last["next"]) == (5, None)
    counted = client.get(GADGETS, {"page_size": 10}).json()
    assert counted["count"] == 25


def test_list_of_30_tagged_rows_has_a_fixed_number_of_queries(rep, tags, django_assert_max_num_queries):
    make_gadgets(30, owner=rep, tag_list=tags[:2])
    client = token_client(rep)
    # token, last_used update, user permissions (2), the user's record shares (once per request),
    # count, rows (owner/department joined), tagged items, tags: 9, and none per row.
    with django_assert_max_num_queries(9):
        response = client.get(GADGETS, {"page_size": 50})
    rows = response.json()["results"]
    assert len(rows) == 30
    assert all([t["slug"] for t in row["tags"]] == ["vip", "channel"] for row in rows)
    assert all(row["owner"]["display"] == "张三" for row in rows)


def test_filters_on_tags_and_custom_fields(rep, tags):
    with actor_context(None, source=Source.TEST):
        CustomField.objects.create(
            content_type=ContentType.objects.get_for_model(Gadget), name="size", label="尺寸", type="integer"
        )
    first, second = make_gadgets(2, owner=rep)
    with actor_context(None, source=Source.TEST):
        set_tags(first, [tags[0]])
        second.custom_field_data = {"size": 7}
        second.save()
    client = token_client(rep)
    assert [r["id"] for r in client.get(GADGETS, {"tag": "vip"}).json()["results"]] == [first.pk]
    assert [r["id"] for r in client.get(GADGETS, {"cf_size__gte": 5}).json()["results"]] == [second.pk]
    bad = client.get(GADGETS, {"tag": "nope"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["tag"]
