"""OpenAPI schema, Swagger docs (offline, under the CSP), the API root, the change log, users and me."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from guanxi.core.models import ObjectChange, Tag
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.context import Source, actor_context
from guanxi.users.models import Department

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_lists_the_endpoints(capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Guanxi CRM API"
    for path in (
        "/api/v1/core/tags/",
        "/api/v1/core/tags/{id}/",
        "/api/v1/core/custom-fields/",
        "/api/v1/core/changes/",
        "/api/v1/users/users/",
        "/api/v1/users/departments/",
        "/api/v1/users/me/",
        "/api/v1/customers/customers/",
        "/api/v1/customers/contacts/{id}/",
    ):
        assert path in schema["paths"], path
    tags = schema["paths"]["/api/v1/core/tags/"]
    assert set(tags) == {"get", "post", "put", "patch", "delete"}
    assert tags["patch"]["operationId"] == "core_tags_bulk_partial_update"
    assert tags["get"]["operationId"] == "core_tags_list"
    assert "changes" not in {m for m in schema["paths"]["/api/v1/core/changes/"] if m != "get"}
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Personal API token, sent as `Authorization: Token <key>`.",
    }
    assert schema["components"]["schemas"]["Brief"]["required"] == ["display", "id", "url"]
    assert not GENERATOR_STATS  # no warnings or errors during generation
    assert "Warning" not in capsys.readouterr().err


def test_docs_page_is_offline_and_relaxes_only_style_src():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the start-up script is a separate URL (?script=)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["script-src"].startswith("'self'")
    assert "unsafe" not in policy["script-src"]
    script = APIClient().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    # Every other page keeps the strict style policy.
    assert "'unsafe-inline'" not in APIClient().get("/api/schema/")["Content-Security-Policy"]


def test_api_root_lists_endpoints_for_signed_in_callers():
    assert APIClient().get("/api/v1/").status_code == 401
    body = token_client(make_user("u")).get("/api/v1/").json()
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["endpoints"]["core"] == {
        "tags": "http://testserver/api/v1/core/tags/",
        "custom-fields": "http://testserver/api/v1/core/custom-fields/",
        "exchange-rates": "http://testserver/api/v1/core/exchange-rates/",
        "changes": "http://testserver/api/v1/core/changes/",
        "choice-options": "http://testserver/api/v1/core/choice-options/",
        "events": "http://testserver/api/v1/core/events/",
    }
    assert body["endpoints"]["users"]["me"] == "http://testserver/api/v1/users/me/"


def test_changes_are_filtered_by_object_and_limited_to_visible_records():
    admin = make_user("admin", superuser=True)
    viewer = make_user("viewer", perms=["core.view_tag"])
    stranger = make_user("stranger")
    admin_client = token_client(admin)
    first = admin_client.post("/api/v1/core/tags/", {"name": "VIP", "slug": "vip"}, format="json").json()
    admin_client.post("/api/v1/core/tags/", {"name": "Hot", "slug": "hot"}, format="json")
    admin_client.patch(f"/api/v1/core/tags/{first['id']}/", {"color": "red"}, format="json")

    history = token_client(viewer).get(
        "/api/v1/core/changes/", {"object_type": "core.tag", "object_id": first["id"]}
    )
    assert history.status_code == 200
    rows = history.json()["results"]
    assert [(r["action"], r["object_type"], r["object_id"], r["source"]) for r in rows] == [
        ("update", "core.tag", first["id"], "api"),
        ("create", "core.tag", first["id"], "api"),
    ]
    assert rows[0]["user"]["id"] == admin.pk
    assert (rows[0]["prechange_data"], rows[0]["postchange_data"]) == ({"color": "blue"}, {"color": "red"})
    # The viewer sees tag changes but not the user accounts' creation entries; the stranger sees nothing.
    all_rows = token_client(viewer).get("/api/v1/core/changes/").json()["results"]
    assert {r["object_type"] for r in all_rows} == {"core.tag"}
    assert token_client(stranger).get("/api/v1/core/changes/").json()["count"] == 0
    # Auditors (core.view_objectchange) see everything, including users' entries.
    assert token_client(admin).get("/api/v1/core/changes/").json()["count"] == ObjectChange.objects.count()
    bad = token_client(viewer).get("/api/v1/core/changes/", {"object_type": "nope.model"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["object_type"]
    assert token_client(viewer).post("/api/v1/core/changes/", {}, format="json").status_code == 405


def test_deleted_records_history_is_for_auditors_only():
    admin = make_user("admin", superuser=True)
    viewer = make_user("viewer", perms=["core.view_tag"])
    with actor_context(admin, source=Source.TEST):
        tag = Tag.objects.create(name="Gone", slug="gone")
        pk = tag.pk
        tag.delete()
    params = {"object_type": "core.tag", "object_id": pk}
    assert token_client(viewer).get("/api/v1/core/changes/", params).json()["count"] == 0
    assert token_client(admin).get("/api/v1/core/changes/", params).json()["count"] == 2


def test_users_departments_and_me():
    with actor_context(None, source=Source.TEST):
        east = Department.objects.create(name="华东", name_en="East")
    boss = make_user("boss", name="王总", department=east)
    rep = make_user("rep", name="张三", department=east, manager=boss, perms=["users.view_user"])
    client = token_client(rep)
    me = client.get("/api/v1/users/me/").json()
    assert (me["id"], me["username"], me["name"], me["is_superuser"]) == (rep.pk, "rep", "张三", False)
    assert me["permissions"] == ["users.view_user"]
    assert me["manager"] == {
        "id": boss.pk,
        "url": f"http://testserver/api/v1/users/users/{boss.pk}/",
        "display": "王总",
    }
    assert "password" not in me
    users = client.get("/api/v1/users/users/", {"department": east.pk}).json()["results"]
    assert [u["username"] for u in users] == ["boss", "rep"]
    assert client.patch(f"/api/v1/users/users/{boss.pk}/", {"name": "x"}, format="json").status_code == 403
    # Departments need users.view_department.
    assert client.get("/api/v1/users/departments/").status_code == 403
    nobody = make_user("nobody")
    assert token_client(nobody).get("/api/v1/users/users/").status_code == 403
    assert token_client(nobody).get("/api/v1/users/me/").json()["username"] == "nobody"
    assert token_client(nobody, scopes=["core:read"]).get("/api/v1/users/me/").status_code == 403
    admin = token_client(make_user("admin", superuser=True))
    assert admin.patch(f"/api/v1/users/users/{boss.pk}/", {"name": "x"}, format="json").status_code == 405
    english = admin.get(f"/api/v1/users/departments/{east.pk}/")
    assert english.json()["display"] == "East"
    assert english.json()["custom_fields"] == {}


def test_custom_field_definitions_through_the_api():
    admin = make_user("admin", superuser=True)
    client = token_client(admin)
    created = client.post(
        "/api/v1/core/custom-fields/",
        {
            "content_type": "core.tag",
            "name": "tier",
            "label": "等级",
            "type": "select",
            "choices": [{"value": "a", "label": "A"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["content_type"] == "core.tag"
    no_choices = client.post(
        "/api/v1/core/custom-fields/",
        {"content_type": "core.tag", "name": "tier2", "label": "x", "type": "select"},
        format="json",
    )
    assert no_choices.json()["errors"] == {"choices": ["A choice field needs at least one choice."]}
    unsupported = client.post(
        "/api/v1/core/custom-fields/",
        {"content_type": "core.objectchange", "name": "x", "label": "x"},
        format="json",
    )
    assert unsupported.json()["errors"] == {
        "content_type": ["This entity type does not support custom fields."]
    }
    unknown = client.post(
        "/api/v1/core/custom-fields/", {"content_type": "core.nope", "name": "x", "label": "x"}, format="json"
    )
    assert unknown.json()["errors"] == {"content_type": ["Unknown entity type “core.nope”."]}
    tag = client.post(
        "/api/v1/core/tags/", {"name": "VIP", "slug": "vip", "custom_fields": {"tier": "a"}}, format="json"
    )
    assert tag.json()["custom_fields"] == {"tier": "a"}
    definition = client.get(f"/api/v1/core/custom-fields/{created.json()['id']}/").json()
    assert (definition["name"], definition["type"], definition["required"]) == ("tier", "select", False)
