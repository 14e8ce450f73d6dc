"""Access policies: the rules behind ``restrict()`` and ``can()``.

Every read and write asks the configured policy (``settings.GUANXI_ACCESS_POLICY``). The foundation
ships ``ModelPermissionPolicy`` (superusers see everything; others need Django's model permission
for the action, which then covers every row). The organisation module replaces it with role-based
data scopes and field rules without any view, serializer or export changing.

Actions are verbs: ``view``, ``add``, ``change``, ``delete`` (Django's own codenames) plus
``export``, ``import`` and ``assign`` and any custom action a module declares in a model's
``Meta.permissions`` as ``<action>_<model_name>``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import LazyObject, empty
from django.utils.module_loading import import_string

ACTIONS = ("view", "add", "change", "delete")


def kept_on(user: Any) -> dict[str, Any]:
    """The attribute dict of the user object itself, where the access layer keeps what it worked
    out for this request (snapshot, field rules, snapshot parts).

    ``request.user`` is a ``SimpleLazyObject``: its own ``__dict__`` holds only the wrapper's
    bookkeeping, so a memo read from it always missed and every permission check went back to the
    shared cache (two file reads per ``can()``: a report page made 150,000 of them)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return vars(user)


def permission_name(model: type[models.Model], action: str) -> str:
    """``customers.view_customer`` for (Customer, "view")."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class AccessPolicy:
    """Interface of an access policy."""

    def filter_queryset[QS: models.QuerySet](self, user: Any, queryset: QS, action: str) -> QS:
        raise NotImplementedError

    def has_model_permission(self, user: Any, model: type[models.Model], action: str) -> bool:
        raise NotImplementedError

    def field_rules(self, user: Any, model: type[models.Model]) -> dict[str, str]:
        """Field name → ``hidden`` / ``readonly`` / ``masked`` for this user (none by default)."""
        return {}

    def explain(self, user: Any, obj: models.Model, action: str) -> tuple[bool, list[str]]:
        allowed = can(user, action, obj)
        return allowed, []

    def owner_condition(self, user: Any, model: type[models.Model]) -> models.Q | None:
        """The users a row of ``model`` may belong to and still be ``view``-able by ``user`` (a
        condition on the user table; None: anyone). The write path's owner rule
        (``write.owner_choices``) and the owner pickers read it. All or nobody here."""
        return None if self.has_model_permission(user, model, "view") else models.Q(pk__in=[])

    def scope_condition(self, user: Any, model: type[models.Model], action: str) -> models.Q | None:
        """The user's data scopes for ``action`` on ``model`` as a condition on the model's owner and
        department columns only (``access_owner_field`` / ``access_department_field``) — without
        shares or module extensions — so it can be read on a copy of those columns (the recycle
        bin's entries). None: every row; ``Q(pk__in=[])``: none."""
        return None if self.has_model_permission(user, model, action) else models.Q(pk__in=[])

    def manages_team(self, user: Any) -> bool:
        """Does ``user`` lead others (the team home instead of "My day")? Not with plain permissions."""
        return False

    def snapshot_part(self, user: Any, name: str) -> Any:
        """A registered snapshot part (``register_snapshot_part``), kept for the request."""
        parts = kept_on(user).setdefault("_guanxi_parts", {})
        if name not in parts:
            parts[name] = _SNAPSHOT_PARTS[name](user)
        return parts[name]


class ModelPermissionPolicy(AccessPolicy):
    """Django model permissions: all rows of a type or none of them."""

    def _active(self, user: Any) -> bool:
        return bool(user is not None and user.is_authenticated and user.is_active)

    def has_model_permission(self, user: Any, model: type[models.Model], action: str) -> bool:
        if not self._active(user):
            return False
        return bool(user.is_superuser or user.has_perm(permission_name(model, action)))

    def filter_queryset[QS: models.QuerySet](self, user: Any, queryset: QS, action: str) -> QS:
        if self.has_model_permission(user, queryset.model, action):
            return queryset
        return queryset.none()


@cache
def get_policy() -> AccessPolicy:
    return import_string(settings.GUANXI_ACCESS_POLICY)()


def can(user: Any, action: str, target: models.Model | type[models.Model]) -> bool:
    """May ``user`` do ``action`` on this object (or on this model at all, given a class)?"""
    policy = get_policy()
    if isinstance(target, type):
        return policy.has_model_permission(user, target, action)
    if not policy.has_model_permission(user, type(target), action):
        return False
    if target.pk is None:
        return True
    model = type(target)
    return policy.filter_queryset(user, model._default_manager.filter(pk=target.pk), action).exists()


# -- row-access extensions ------------------------------------------------------------------------
# A module can widen what a *granted* user sees of a model beyond the data scope, for rows the
# scope cannot express: customers waiting in a public pool (no owner) are visible to the pool's
# departments; unassigned leads to those who may claim them. The extension returns a Q that the
# policy ORs into the scope condition — only for users holding the action on the model at all,
# so an extension never grants a type to someone without a role for it.
RowAccessExtension = Callable[[Any, str], "models.Q | None"]
_ROW_ACCESS: dict[type[models.Model], list[RowAccessExtension]] = {}


def register_row_access(model: type[models.Model], extension: RowAccessExtension) -> RowAccessExtension:
    """OR ``extension(user, action)`` (a ``Q`` or None) into ``restrict()`` for ``model``."""
    extensions = _ROW_ACCESS.setdefault(model, [])
    if extension not in extensions:
        extensions.append(extension)
    return extension


def extra_row_access(user: Any, model: type[models.Model], action: str) -> models.Q | None:
    """The OR of the registered extensions' conditions for ``user``, or None when there are none."""
    combined: models.Q | None = None
    for extension in _ROW_ACCESS.get(model, ()):
        q = extension(user, action)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


# -- snapshot parts -------------------------------------------------------------------------------
# Per-user facts an extension needs on every request (the pools a user sees…). A module registers
# how to compute one; the policy decides how long it lives: the foundation keeps it for the request
# (on the user object), the organisation module stores it in the user's cached access snapshot,
# invalidated with the rest of it by the organisation version.
_SNAPSHOT_PARTS: dict[str, Callable[[Any], Any]] = {}


def register_snapshot_part(name: str, compute: Callable[[Any], Any]) -> None:
    """Declare ``compute(user)`` (picklable result) as part ``name`` of every user's access snapshot."""
    _SNAPSHOT_PARTS[name] = compute


def snapshot_parts() -> dict[str, Callable[[Any], Any]]:
    return dict(_SNAPSHOT_PARTS)


def snapshot_part(user: Any, name: str) -> Any:
    """Part ``name`` of ``user``'s access snapshot, computed at most once per snapshot."""
    return get_policy().snapshot_part(user, name)
