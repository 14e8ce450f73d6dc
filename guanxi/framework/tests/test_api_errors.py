"""Bad input is a 400 (or 409/404) with ``{"detail", "errors": {field: [...]}}`` in the caller's
language — never a 500."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from guanxi.core.models import ObjectChange, Tag
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.context import Source, actor_context

pytestmark = pytest.mark.django_db
TAGS = "/api/v1/core/tags/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin():
    return make_user("admin", superuser=True)


@pytest.fixture
def client(admin):
    return token_client(admin)


@pytest.fixture
def vip():
    with actor_context(None, source=Source.TEST):
        return Tag.objects.create(name="VIP", slug="vip", color="red")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": {"a": 1}, "slug": "x"}, "name"),
        ({"name": ["x"], "slug": "x"}, "name"),
        ({"name": "X", "slug": "x", "color": "magenta"}, "color"),
        ({"name": "X", "slug": "has space"}, "slug"),
        ({"name": "X" * 61, "slug": "x"}, "name"),
        ({"name": "X", "slug": "x", "custom_fields": "nope"}, "custom_fields"),
        ({"name": "X", "slug": "x", "custom_fields": {"unknown": 1}}, "custom_fields"),
        ({"slug": "x"}, "name"),
        ({"name": None, "slug": "x"}, "name"),
    ],
)
def test_wrong_values_are_400_on_the_field(client, payload, field):
    response = client.post(TAGS, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Please correct the errors below."
    assert list(body["errors"]) == [field]
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert not Tag.objects.exists()


def test_a_duplicate_is_a_400_on_the_unique_field(client, vip):
    response = client.post(TAGS, {"name": "VIP", "slug": "vip2"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["tag with this name already exists."]}


def test_list_body_on_a_single_create_and_garbage_json(client):
    listed = client.post(TAGS, [{"name": "X", "slug": "x"}], format="json")
    assert listed.status_code == 400
    assert list(listed.json()["errors"]) == ["non_field_errors"]
    garbage = client.post(TAGS, data='{"name": "X", ', content_type="application/json")
    assert garbage.status_code == 400
    assert garbage.json()["detail"].startswith("JSON parse error")
    assert garbage.json()["errors"] == {}
    wrong_media = client.post(TAGS, data="name=X", content_type="text/plain")
    assert wrong_media.status_code == 415
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"page": "abc"}, 400, "page"),
        ({"page": "0"}, 400, "page"),
        ({"page": "-3"}, 400, "page"),
        ({"page": "99999999999999999999999999"}, 404, None),
        ({"page": "2"}, 404, None),
        ({"page": "99999999999999999999999999", "count": "false"}, 200, None),
        ({"page_size": "abc"}, 200, None),
        ({"ordering": "bogus"}, 400, "ordering"),
        ({"ordering": "name,-password"}, 400, "ordering"),
        ({"ordering": "custom_fields"}, 400, "ordering"),
        ({"color": "magenta"}, 400, "color"),
        ({"created_after": "yesterday"}, 400, "created_after"),
    ],
)
def test_bad_list_parameters(client, vip, params, status, field):
    response = client.get(TAGS, params)
    assert response.status_code == status
    if field:
        assert list(response.json()["errors"]) == [field]
    if status == 200:
        expected = [] if params.get("count") == "false" else ["VIP"]
        assert [row["name"] for row in response.json()["results"]] == expected


def test_ordering_by_api_field_names_works(client, vip):
    with actor_context(None, source=Source.TEST):
        Tag.objects.create(name="Alpha", slug="alpha", color="blue")
    assert [r["name"] for r in client.get(TAGS, {"ordering": "-color,name"}).json()["results"]] == [
        "VIP",
        "Alpha",
    ]
    assert [r["name"] for r in client.get(TAGS, {"ordering": "-id"}).json()["results"]] == ["Alpha", "VIP"]


@pytest.mark.parametrize("pk", ["99999999999999999999999", "0", "12345"])
def test_unknown_ids_are_404(client, vip, pk):
    response = client.get(f"{TAGS}{pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_bulk_bodies_that_are_not_lists_of_ids(client, vip):
    for body in (
        {"id": vip.pk},
        [],
        [1, 2],
        [{"name": "x"}],
        [{"id": True}],
        [{"id": vip.pk}, {"id": vip.pk}],
    ):
        response = client.patch(TAGS, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"]
    assert client.patch(TAGS, [{"id": vip.pk}, {"id": vip.pk}], format="json").json()["errors"] == {
        "1.id": ["This record is listed more than once."]
    }
    assert Tag.objects.get().name == "VIP"
    assert not ObjectChange.objects.filter(source="api").exists()


def test_messages_follow_accept_language(admin, vip):
    english = token_client(admin, language="en").post(TAGS, {"name": "VIP", "slug": "x"}, format="json")
    chinese = token_client(admin, language="zh-hans").post(TAGS, {"name": "VIP", "slug": "x"}, format="json")
    assert english.json()["detail"] == "Please correct the errors below."
    assert english.json()["errors"]["name"] == ["tag with this name already exists."]
    assert chinese.status_code == 400
    assert chinese.json()["detail"] == "请修正以下错误。"
    assert chinese.json()["errors"]["name"] == ["具有 名称 的 标签 已存在。"]


def test_token_users_saved_language_wins(vip):
    user = make_user("zh", superuser=True, language="en")
    response = token_client(user, language="zh-hans").post(TAGS, {"name": "VIP", "slug": "x"}, format="json")
    assert response.json()["detail"] == "Please correct the errors below."


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        ("protected", 409),
        ("integrity", 409),
        ("django_validation", 400),
        ("permission", 403),
        ("http404", 404),
    ],
)
def test_django_exceptions_map_to_json_errors(exc, status):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import IntegrityError
    from django.db.models import ProtectedError
    from django.http import Http404
    from rest_framework.test import APIRequestFactory

    from guanxi.framework.api.errors import exception_handler

    raised = {
        "protected": ProtectedError("referenced", set()),
        "integrity": IntegrityError("dup"),
        "django_validation": ValidationError({"name": "Bad name."}),
        "permission": PermissionDenied(),
        "http404": Http404(),
    }[exc]
    response = exception_handler(raised, {"request": APIRequestFactory().get("/")})
    assert response.status_code == status
    assert set(response.data) == {"detail", "errors"}
    if exc == "django_validation":
        assert response.data["errors"] == {"name": ["Bad name."]}


def test_token_users_saved_language_applies_to_a_refused_permission(vip):
    # DRF checks permissions before the view runs: the language must be the user's by then
    user = make_user("no-perms", language="en")
    response = token_client(user, language="zh-hans").post(TAGS, {"name": "VIP2", "slug": "y"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to do this."
    with actor_context(None, source=Source.TEST):
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    response = token_client(user, language="en").post(TAGS, {"name": "VIP2", "slug": "y"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限。"


def test_token_users_time_zone_applies(vip):
    user = make_user("new-york", superuser=True, time_zone="America/New_York")
    body = token_client(user).get(f"{TAGS}{vip.pk}/").json()
    created = datetime.datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() == vip.created_at.astimezone(ZoneInfo("America/New_York")).utcoffset()
    assert created == vip.created_at
