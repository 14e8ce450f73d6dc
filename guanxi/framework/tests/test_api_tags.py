"""Tag CRUD through the API: personas, scopes, the change log, row restriction, custom fields."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.core.models import CustomField, ObjectChange, Tag
from guanxi.framework.access import ModelPermissionPolicy, get_policy
from guanxi.framework.api.testing import make_token, make_user, token_client
from guanxi.framework.context import Source, actor_context

pytestmark = pytest.mark.django_db
TAGS = "/api/v1/core/tags/"


def make_tag(name: str, **fields) -> Tag:
    with actor_context(None, source=Source.TEST):
        return Tag.objects.create(name=name, slug=fields.pop("slug", name.lower()), **fields)


@pytest.fixture
def admin():
    return make_user("admin", superuser=True)


@pytest.fixture
def viewer():
    return make_user("viewer", perms=["core.view_tag"])


def test_admin_creates_reads_updates_and_deletes_a_tag_with_one_logged_change_each(admin):
    client = token_client(admin)
    created = client.post(TAGS, {"name": "VIP", "slug": "vip", "color": "red"}, format="json")
    assert created.status_code == 201
    body = created.json()
    tag = Tag.objects.get()
    assert body["id"] == tag.pk
    assert body["url"] == f"http://testserver{TAGS}{tag.pk}/"
    assert body["display"] == "VIP"
    assert (body["name"], body["slug"], body["color"], body["description"]) == ("VIP", "vip", "red", "")
    assert body["custom_fields"] == {}
    assert body["created_by"] == {
        "id": admin.pk,
        "url": f"http://testserver/api/v1/users/users/{admin.pk}/",
        "display": "admin",
    }
    tag_changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Tag))
    change = tag_changes.get()
    assert (change.action, change.source, change.user_id, change.user_name) == (
        "create",
        "api",
        admin.pk,
        "admin",
    )
    assert change.changed_object_id == tag.pk
    assert change.postchange_data["name"] == "VIP"

    assert client.get(f"{TAGS}{tag.pk}/").json()["name"] == "VIP"
    updated = client.patch(f"{TAGS}{tag.pk}/", {"color": "blue"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["color"] == "blue"
    change = tag_changes.order_by("-pk").first()
    assert (change.action, change.source, change.user_id) == ("update", "api", admin.pk)
    assert (change.prechange_data, change.postchange_data) == ({"color": "red"}, {"color": "blue"})

    assert client.delete(f"{TAGS}{tag.pk}/").status_code == 204
    assert not Tag.objects.exists()
    change = ObjectChange.objects.order_by("-pk").first()
    assert (change.action, change.source, change.user_id, change.object_repr) == (
        "delete",
        "api",
        admin.pk,
        "VIP",
    )
    assert tag_changes.count() == 3


def test_put_requires_the_required_fields_and_keeps_optional_ones_not_sent(admin):
    tag = make_tag("Partner", color="green", description="old")
    client = token_client(admin)
    incomplete = client.put(f"{TAGS}{tag.pk}/", {"name": "Partner"}, format="json")
    assert incomplete.status_code == 400
    assert incomplete.json()["errors"] == {"slug": ["This field is required."]}
    response = client.put(f"{TAGS}{tag.pk}/", {"name": "Partners", "slug": "partner"}, format="json")
    assert response.status_code == 200
    tag.refresh_from_db()
    assert (tag.name, tag.color, tag.description) == ("Partners", "green", "old")


def test_view_only_user_reads_but_every_write_is_refused_and_nothing_changes(viewer):
    tag = make_tag("VIP", color="red")
    client = token_client(viewer)
    listing = client.get(TAGS)
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["VIP"]
    before = ObjectChange.objects.count()
    responses = [
        client.post(TAGS, {"name": "New", "slug": "new"}, format="json"),
        client.patch(f"{TAGS}{tag.pk}/", {"name": "Renamed"}, format="json"),
        client.put(f"{TAGS}{tag.pk}/", {"name": "Renamed", "slug": "r"}, format="json"),
        client.delete(f"{TAGS}{tag.pk}/"),
        client.patch(TAGS, [{"id": tag.pk, "name": "Renamed"}], format="json"),
        client.delete(TAGS, [{"id": tag.pk}], format="json"),
    ]
    assert [r.status_code for r in responses] == [403] * 6
    assert responses[0].json() == {"detail": "You do not have permission to do this.", "errors": {}}
    assert list(Tag.objects.values_list("name", "color")) == [("VIP", "red")]
    assert ObjectChange.objects.count() == before


def test_user_without_view_permission_is_refused(admin):
    nobody = make_user("nobody")
    make_tag("VIP")
    assert token_client(nobody).get(TAGS).status_code == 403


def test_anonymous_and_bad_tokens_get_401_with_the_token_challenge():
    make_tag("VIP")
    anonymous = APIClient().get(TAGS)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert set(anonymous.json()) == {"detail", "errors"}
    bad = APIClient(HTTP_AUTHORIZATION="Token gx_not-a-real-key", HTTP_ACCEPT_LANGUAGE="en").get(TAGS)
    assert (bad.status_code, bad.json()["detail"]) == (401, "Invalid token.")
    assert bad["WWW-Authenticate"] == "Token"
    # Anonymous writes are refused the same way.
    assert APIClient().post(TAGS, {"name": "X", "slug": "x"}, format="json").status_code == 401
    assert Tag.objects.count() == 1


def test_expired_token_is_refused(admin):
    token, key = make_token(admin, expires_at=timezone.now() + datetime.timedelta(days=1))
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en").get(TAGS)
    assert (response.status_code, response.json()["detail"]) == (401, "This token has expired.")


@pytest.mark.parametrize(
    ("scopes", "read", "write"),
    [
        (["read"], 200, 403),
        (["write"], 200, 201),
        (["core:read"], 200, 403),
        (["core:write"], 200, 201),
        (["users:write"], 403, 403),
    ],
)
def test_token_scopes_decide_reads_and_writes(admin, scopes, read, write):
    client = token_client(admin, scopes=scopes)
    assert client.get(TAGS).status_code == read
    response = client.post(TAGS, {"name": "VIP", "slug": "vip"}, format="json")
    assert response.status_code == write
    if write == 403:
        assert response.json()["detail"] == "This API token's scopes do not allow this request."
        assert not Tag.objects.exists()


class HideSecretTagsPolicy(ModelPermissionPolicy):
    """Model permissions, and tags named secret… are invisible to everyone but superusers."""

    def filter_queryset(self, user, queryset, action):
        queryset = super().filter_queryset(user, queryset, action)
        if queryset.model is Tag and not user.is_superuser:
            queryset = queryset.exclude(name__startswith="secret")
        return queryset


@pytest.fixture
def hide_secret_tags(settings):
    settings.GUANXI_ACCESS_POLICY = f"{__name__}.HideSecretTagsPolicy"
    get_policy.cache_clear()
    yield
    get_policy.cache_clear()


def test_records_outside_restrict_are_404_and_writes_that_leave_scope_are_rolled_back(hide_secret_tags):
    editor = make_user(
        "editor", perms=["core.view_tag", "core.change_tag", "core.delete_tag", "core.add_tag"]
    )
    secret, public = make_tag("secret-plan"), make_tag("Public")
    client = token_client(editor)
    assert [r["name"] for r in client.get(TAGS).json()["results"]] == ["Public"]
    assert client.get(f"{TAGS}{secret.pk}/").status_code == 404
    assert client.patch(f"{TAGS}{secret.pk}/", {"color": "red"}, format="json").status_code == 404
    assert client.delete(f"{TAGS}{secret.pk}/").status_code == 404
    before = ObjectChange.objects.count()
    moved = client.patch(f"{TAGS}{public.pk}/", {"name": "secret-too"}, format="json")
    assert moved.status_code == 403
    assert "outside what you are allowed to see" in moved.json()["detail"]
    created = client.post(TAGS, {"name": "secret-new", "slug": "secret-new"}, format="json")
    assert created.status_code == 403
    assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == ["Public", "secret-plan"]
    assert ObjectChange.objects.count() == before
    bulk = client.delete(TAGS, [{"id": public.pk}, {"id": secret.pk}], format="json")
    assert bulk.status_code == 400
    assert list(bulk.json()["errors"]) == ["1.id"]
    assert Tag.objects.count() == 2


@pytest.fixture
def tag_fields():
    ct = ContentType.objects.get_for_model(Tag)
    with actor_context(None, source=Source.TEST):
        priority = CustomField.objects.create(
            content_type=ct,
            name="priority",
            label="优先级",
            type="integer",
            validation_min=1,
            validation_max=5,
        )
        region = CustomField.objects.create(content_type=ct, name="region", label="区域", type="text")
    return priority, region


def test_custom_fields_on_tags_are_readable_writable_merged_and_validated(admin, tag_fields):
    client = token_client(admin)
    created = client.post(
        TAGS, {"name": "VIP", "slug": "vip", "custom_fields": {"priority": "3"}}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["custom_fields"] == {"priority": 3}
    pk = created.json()["id"]
    merged = client.patch(f"{TAGS}{pk}/", {"custom_fields": {"region": "华东"}}, format="json")
    assert merged.json()["custom_fields"] == {"priority": 3, "region": "华东"}
    change = ObjectChange.objects.order_by("-pk").first()
    assert change.prechange_data == {"custom_field_data": {"priority": 3}}
    assert change.postchange_data == {"custom_field_data": {"priority": 3, "region": "华东"}}
    cleared = client.patch(f"{TAGS}{pk}/", {"custom_fields": {"priority": None}}, format="json")
    assert cleared.json()["custom_fields"] == {"region": "华东"}

    too_big = client.patch(f"{TAGS}{pk}/", {"custom_fields": {"priority": 9}}, format="json")
    assert too_big.status_code == 400
    assert too_big.json()["errors"] == {"custom_fields.priority": ["Must be at most 5."]}
    wrong_type = client.patch(f"{TAGS}{pk}/", {"custom_fields": {"priority": "many"}}, format="json")
    assert wrong_type.json()["errors"] == {"custom_fields.priority": ["Enter a whole number."]}
    unknown = client.patch(f"{TAGS}{pk}/", {"custom_fields": {"colour_code": "x"}}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"custom_fields": ["Unknown custom fields: colour_code."]}
    not_object = client.patch(f"{TAGS}{pk}/", {"custom_fields": ["priority"]}, format="json")
    assert not_object.json()["errors"] == {
        "custom_fields": ["Custom fields must be an object of key: value."]
    }
    assert Tag.objects.get(pk=pk).custom_field_data == {"region": "华东"}


def test_required_custom_field_and_defaults_apply_on_create(admin):
    ct = ContentType.objects.get_for_model(Tag)
    with actor_context(None, source=Source.TEST):
        CustomField.objects.create(
            content_type=ct, name="owner_team", label="团队", type="text", required=True
        )
        CustomField.objects.create(content_type=ct, name="level", label="级别", type="integer", default=2)
    client = token_client(admin)
    missing = client.post(TAGS, {"name": "VIP", "slug": "vip"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"custom_fields.owner_team": ["This field is required."]}
    ok = client.post(
        TAGS, {"name": "VIP", "slug": "vip", "custom_fields": {"owner_team": "A"}}, format="json"
    )
    assert ok.json()["custom_fields"] == {"owner_team": "A", "level": 2}


def test_filters_of_the_ui_filterset_work_on_the_api(admin):
    make_tag("VIP", color="red")
    make_tag("Partner", color="green", description="channel partner")
    client = token_client(admin)
    assert [r["name"] for r in client.get(TAGS, {"color": "green"}).json()["results"]] == ["Partner"]
    assert [r["name"] for r in client.get(TAGS, {"q": "channel"}).json()["results"]] == ["Partner"]
    assert [r["name"] for r in client.get(TAGS, {"ordering": "-name"}).json()["results"]] == [
        "VIP",
        "Partner",
    ]
