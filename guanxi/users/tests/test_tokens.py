"""Personal API tokens: the service (validation, audit), the settings pages, and authentication."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from guanxi.core.models import AuditEvent
from guanxi.framework.api.authentication import LAST_USED_RESOLUTION
from guanxi.framework.api.testing import make_token, make_user
from guanxi.framework.context import Source, actor_context
from guanxi.users.models import APIToken
from guanxi.users.services.tokens import create_token, revoke_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user("rep", perms=["core.view_tag"])


def test_create_token_stores_only_the_hash_and_audits(user):
    with actor_context(user, source=Source.TEST):
        token, key = create_token(user, name=" ERP sync ", scopes=["read", "core:write"], actor=user)
    assert key.startswith("gx_") and len(key) == 43
    assert (token.name, token.scopes, token.expires_at, token.key_prefix) == (
        "ERP sync",
        ["read", "core:write"],
        None,
        key[:10],
    )
    assert token.key_hash == APIToken.hash_key(key) != key
    event = AuditEvent.objects.get(event="token_created")
    assert (event.user_id, event.username) == (user.pk, "rep")
    assert event.detail == {
        "token_id": token.pk,
        "name": "ERP sync",
        "prefix": key[:10],
        "owner": "rep",
        "scopes": ["read", "core:write"],
        "expires_at": None,
    }


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"name": "  "}, {"name": ["Give the token a name, so you know later what uses it."]}),
        ({"name": "x" * 101}, {"name": ["At most 100 characters."]}),
        ({"name": "x", "scopes": ["admin"]}, {"scopes": ["Unknown scopes: admin."]}),
        ({"name": "x", "scopes": ["nosuchapp:read"]}, {"scopes": ["Unknown scopes: nosuchapp:read."]}),
        ({"name": "x", "scopes": []}, {"scopes": ["Choose at least one scope."]}),
        ({"name": "x", "expires_at": "past"}, {"expires_at": ["The expiry must be in the future."]}),
    ],
)
def test_create_token_validation(user, kwargs, errors):
    if kwargs.get("expires_at") == "past":
        kwargs["expires_at"] = timezone.now() - datetime.timedelta(minutes=1)
    # the messages are asserted in English; outside a request the default language is zh-hans
    with override("en"):
        with pytest.raises(ValidationError) as exc, actor_context(user, source=Source.TEST):
            create_token(user, actor=user, **kwargs)
        assert exc.value.message_dict == errors
    assert not APIToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_revoke_token_deletes_and_audits(user):
    token, key = make_token(user, name="CI")
    with actor_context(user, source=Source.TEST):
        revoke_token(token, actor=user)
    assert not APIToken.objects.exists()
    event = AuditEvent.objects.get(event="token_revoked")
    assert (event.detail["name"], event.detail["prefix"]) == ("CI", key[:10])
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/core/tags/")
    assert response.status_code == 401


def test_authentication_records_last_use_at_most_once_a_minute(user):
    token, key = make_token(user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/core/tags/").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and (timezone.now() - first).total_seconds() < 5
    client.get("/api/v1/core/tags/")
    token.refresh_from_db()
    assert token.last_used_at == first
    APIToken.objects.filter(pk=token.pk).update(
        last_used_at=first - datetime.timedelta(seconds=LAST_USED_RESOLUTION + 1)
    )
    client.get("/api/v1/core/tags/")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_tokens_of_inactive_users_and_malformed_headers_are_refused(user):
    _token, key = make_token(user)
    for header in (f"Token {key} extra", "Token", f"Bearer {key}x"):
        response = APIClient(HTTP_AUTHORIZATION=header).get("/api/v1/core/tags/")
        assert response.status_code == 401, header
    with actor_context(None, source=Source.TEST):
        user.is_active = False
        user.save()
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en").get(
        "/api/v1/core/tags/"
    )
    assert (response.status_code, response.json()["detail"]) == (401, "This user account is inactive.")


def test_token_writes_are_logged_with_the_token_user(user):
    admin = make_user("admin", superuser=True)
    _token, key = make_token(admin)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    client.post("/api/v1/core/tags/", {"name": "VIP", "slug": "vip"}, format="json")
    from guanxi.core.models import ObjectChange

    change = ObjectChange.objects.filter(action="create", source="api").get()
    assert (change.user_id, change.user_name) == (admin.pk, "admin")


# --- the settings pages ----------------------------------------------------------------------
def test_token_pages_list_create_show_the_key_once_and_revoke(client, user):
    other = make_user("other")
    make_token(other, name="Other's token")
    client.force_login(user)
    page = client.get(reverse("token_list"))
    assert page.status_code == 200
    assert "Other&#x27;s token" not in page.content.decode() and "Other's token" not in page.content.decode()

    created = client.post(
        reverse("token_create"), {"name": "Report script", "scopes": ["read"], "expiry": "30"}
    )
    assert created.status_code == 200
    token = APIToken.objects.get(user=user)
    html = created.content.decode()
    key_start = html.index('data-copy="') + len('data-copy="')
    key = html[key_start : html.index('"', key_start)]
    assert APIToken.hash_key(key) == token.key_hash
    assert created["Cache-Control"] == "no-store"
    assert (token.name, token.scopes) == ("Report script", ["read"])
    assert abs((token.expires_at - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(
        minutes=1
    )
    listing = client.get(reverse("token_list")).content.decode()
    assert "Report script" in listing and token.key_prefix in listing and key not in listing

    assert client.get(reverse("token_revoke", args=[token.pk])).status_code == 200  # confirmation page
    assert APIToken.objects.filter(pk=token.pk).exists()
    revoked = client.post(reverse("token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    assert not APIToken.objects.filter(pk=token.pk).exists()


def test_token_pages_never_expose_other_users_tokens(client, user):
    other = make_user("other")
    token, _key = make_token(other)
    client.force_login(user)
    assert client.get(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_token_create_form_errors_and_never_expiry(client, user):
    client.force_login(user)
    bad = client.post(reverse("token_create"), {"name": "", "scopes": [], "expiry": "7"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"name", "scopes", "expiry"}
    assert not APIToken.objects.exists()
    ok = client.post(
        reverse("token_create"), {"name": "Forever", "scopes": ["read", "write"], "expiry": "never"}
    )
    assert ok.status_code == 200
    assert APIToken.objects.get().expires_at is None
    assert client.get(reverse("token_create")).status_code == 405


def test_token_pages_need_a_login(client):
    response = client.get(reverse("token_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
