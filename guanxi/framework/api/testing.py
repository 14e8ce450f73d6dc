"""Helpers for API tests: users with given permissions, tokens, and an authenticated client.

>>> user = make_user("rep", perms=["core.view_tag"])
>>> client = token_client(user, scopes=["read"])
>>> client.get("/api/v1/core/tags/").status_code
200
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from guanxi.framework.context import Source, actor_context


def make_user(username: str, *, perms: Iterable[str] = (), superuser: bool = False, **fields: Any) -> Any:
    """A user with the given ``app_label.codename`` permissions (created in a test actor context)."""
    from guanxi.framework.testing.fixtures import grant

    with actor_context(None, source=Source.TEST):
        user = get_user_model().objects.create_user(
            username=username,
            password="x-" + username * 3,
            is_superuser=superuser,
            is_staff=superuser,
            **fields,
        )
    return grant(user, perms)  # a fresh copy: no stale permission cache


def make_token(
    user: Any, *, scopes: Iterable[str] = ("read", "write"), expires_at: Any = None, name: str = "test"
) -> tuple[Any, str]:
    from guanxi.users.services.tokens import create_token

    with actor_context(user, source=Source.TEST):
        return create_token(user, name=name, scopes=list(scopes), expires_at=expires_at, actor=user)


def token_client(user: Any, *, scopes: Iterable[str] = ("read", "write"), language: str = "en") -> APIClient:
    """An APIClient sending ``Authorization: Token <key>`` (and ``Accept-Language``)."""
    _token, key = make_token(user, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client
