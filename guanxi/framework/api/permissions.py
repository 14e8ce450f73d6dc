"""API permissions: authenticated, the token's scopes allow the method, and the access policy
grants the model action. Row-level rules are applied by ``restrict()`` in the viewset's queryset."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from guanxi.framework.access import can

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def view_model(view: Any) -> Any:
    return getattr(getattr(view, "queryset", None), "model", None)


class TokenScopePermission(BasePermission):
    """An active, signed-in user; with a token, one of its scopes must cover the method and app.

    The app is the view's model's app label, or ``view.app_label`` for views without a model."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth
        if token is not None and hasattr(token, "allows"):
            model = view_model(view)
            app_label = model._meta.app_label if model is not None else getattr(view, "app_label", "")
            if not token.allows(request.method, app_label):
                self.message = _("This API token's scopes do not allow this request.")
                return False
        return True


class ModelActionPermission(TokenScopePermission):
    """…and the access policy grants the action (view/add/change/delete) on the view's model."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        model = view_model(view)
        if model is None:
            return True
        action = getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, "view")
        return can(request.user, action, model)
