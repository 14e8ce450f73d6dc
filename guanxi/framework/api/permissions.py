"""API permission: authenticated, the token's scopes allow the method, and the access policy
grants the model action. Row-level rules are applied by ``restrict()`` in the viewset's queryset."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from guanxi.framework.access import can

METHOD_ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                  "PATCH": "change", "DELETE": "delete"}


class ModelActionPermission(BasePermission):
    message = _("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth
        model = getattr(getattr(view, "queryset", None), "model", None)
        if token is not None and hasattr(token, "allows"):
            app_label = model._meta.app_label if model is not None else getattr(view, "app_label", "")
            if not token.allows(request.method, app_label):
                self.message = _("This API token's scopes do not allow this request.")
                return False
        if model is None:
            return True
        action = getattr(view, "required_action", None) or METHOD_ACTIONS.get(request.method, "view")
        return can(user, action, model)
