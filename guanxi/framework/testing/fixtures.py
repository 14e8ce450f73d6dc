"""pytest fixtures shared by every test module: personas and the actor context for set-up writes.

Personas of the foundation (the organisation module adds department-scoped ones):
``admin_user`` (superuser), ``make_user(username, perms=[...])`` for any mix of model
permissions, and ``inactive_user``. Set-up code that writes change-logged rows runs inside
``as_system()`` / ``as_user(user)`` so tests never trip the missing-actor check by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from guanxi.framework.context import Source, actor_context

PASSWORD = "correct-horse-battery-9"  # noqa: S105  (test personas only)


def as_system() -> AbstractContextManager[Any]:
    """Actor context for test set-up writes made by nobody in particular."""
    return actor_context(None, source=Source.TEST)


def as_user(user: Any) -> AbstractContextManager[Any]:
    return actor_context(user, source=Source.TEST)


def grant(user: Any, perms: Iterable[str]) -> Any:
    """Give ``user`` model permissions named ``app_label.codename``; returns a fresh copy."""
    with as_system():  # permission changes are change-logged on the user
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return type(user).objects.get(pk=user.pk)  # drop the cached permission set


@pytest.fixture
def make_user(db: Any, django_user_model: Any) -> Callable[..., Any]:
    def factory(username: str, perms: Iterable[str] = (), **fields: Any) -> Any:
        with as_system():
            user = django_user_model.objects.create_user(username=username, password=PASSWORD, **fields)
        return grant(user, perms) if perms else user

    return factory


@pytest.fixture
def admin_user(db: Any, django_user_model: Any) -> Any:
    """A superuser (replaces pytest-django's fixture, which writes outside an actor context)."""
    with as_system():
        return django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)


@pytest.fixture
def inactive_user(make_user: Callable[..., Any]) -> Any:
    return make_user("former", perms=["core.view_tag"], is_active=False)


@pytest.fixture
def admin_client(client: Any, admin_user: Any) -> Any:
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: cached custom-field definitions from a rolled-back
    test must not leak into the next one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_leftover_language() -> Any:
    """Each test starts with no language activated, the state the test database set-up leaves
    (its management commands call ``deactivate_all``: messages read as their English msgids, and
    tests opt into a language with ``translation.override`` or a user's language). A test-client
    request leaves the language LocaleMiddleware chose active in the thread; without this reset,
    an English or Chinese request in one test would decide the strings the next test renders or
    logs, depending on which tests an xdist worker happened to run before it."""
    from django.utils import translation

    translation.deactivate_all()
    yield
    translation.deactivate_all()
