"""``/api/v1/core/conditions/<app>.<model>/``: the field catalogue of an entity and a validator.

``GET fields/`` lists the fields the user may build conditions on (label, kind, operators,
choices, tokens): what a condition editor needs. ``POST validate/`` takes ``{"condition": tree}``
and answers the tree in canonical form with the number of rows the user may view that match —
or field-level messages (400) keyed by the node's path. Both read only: an API token needs read
scope on the entity's app, even for the POST.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.framework import conditions
from guanxi.framework.access import can
from guanxi.framework.api.permissions import TokenScopePermission


class ConditionFieldSerializer(serializers.Serializer):
    """One catalogue entry (the schema of ``CatalogueField.as_dict``)."""

    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    kind = serializers.CharField()
    ops = serializers.ListField(child=serializers.CharField())
    choices = serializers.ListField(child=serializers.DictField(), required=False)
    tokens = serializers.ListField(child=serializers.CharField(), required=False)
    model = serializers.CharField(required=False, help_text="app_label.model of a relation's ids")


class CatalogueSerializer(serializers.Serializer):
    model = serializers.CharField()
    version = serializers.IntegerField()
    fields = ConditionFieldSerializer(many=True)  # type: ignore[assignment]  # the metaclass pops it


class ValidateRequestSerializer(serializers.Serializer):
    condition = serializers.JSONField(help_text="A condition tree (docs/conditions.md)")


class ValidateResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    condition = serializers.JSONField()
    count = serializers.IntegerField()


class ConditionReadPermission(TokenScopePermission):
    """A signed-in user whose token (if any) may read the entity's app."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth
        if token is not None and hasattr(token, "allows"):
            label = view.kwargs.get("model", "").split(".")[0]
            if not token.allows("GET", label):
                self.message = _("This API token's scopes do not allow this request.")  # type: ignore[assignment]
                return False
        return True


class ConditionView(APIView):
    permission_classes = [ConditionReadPermission]

    def target(self, label: str) -> type[models.Model]:
        """The model ``app.model`` names, if the user may view it; 404 otherwise (as for an
        unknown one: which entity types exist is not a secret, but there is nothing to show)."""
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise Http404(_("Unknown entity type “%(label)s”.") % {"label": label}) from None
        if not hasattr(model.objects, "restrict"):
            raise Http404(_("Unknown entity type “%(label)s”.") % {"label": label})
        if not can(self.request.user, "view", model):
            raise exceptions.PermissionDenied(_("You may not view these records."))
        return model


class ConditionFieldsView(ConditionView):
    """The catalogue of one entity type as the user may use it."""

    @extend_schema(responses=CatalogueSerializer, operation_id="core_conditions_fields")
    def get(self, request: Request, model: str) -> Response:
        target = self.target(model)
        fields = conditions.catalogue_for(target, request.user)
        return Response(
            {
                "model": target._meta.label_lower,
                "version": conditions.VERSION,
                "fields": [entry.as_dict() for entry in fields.values()],
            }
        )


class ConditionValidateView(ConditionView):
    """Validate a tree for the user and count the rows it matches among those they may view."""

    @extend_schema(
        request=ValidateRequestSerializer,
        responses=ValidateResponseSerializer,
        operation_id="core_conditions_validate",
    )
    def post(self, request: Request, model: str) -> Response:
        target = self.target(model)
        data = request.data
        tree = data.get("condition") if isinstance(data, dict) else None
        if tree is None:
            raise exceptions.ValidationError({"condition": [_("This field is required.")]})
        try:
            clean = conditions.validate(tree, target, request.user)
            q = conditions.compile(clean, target, user=request.user)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        count = target.objects.restrict(request.user, "view").filter(q).count()  # type: ignore[attr-defined]
        return Response({"valid": True, "condition": clean, "count": count})
