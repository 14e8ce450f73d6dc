"""``/api/v1/users/roles/``: roles, their grants and their field rules over the API.

The role's own fields (name, English name, description) go through the generic entity write path
(``EntityViewSet``). Its grants and field rules are replaced through the same services the role
page uses (``save_role_grants`` / ``save_field_rules``: validation, change log, organisation
version), on two sub-resources:

* ``GET/PUT /roles/{id}/grants/`` — ``[{"content_type": "customers.customer", "actions": ["view"],
  "scope": "own"}, …]``; a type sent with no actions loses its grant, types not sent keep theirs.
* ``GET/PUT /roles/{id}/field-rules/`` — ``[{"content_type": "customers.customer", "field":
  "id_number", "access": "masked"}, …]``; ``access`` empty makes the field visible again.

Reading needs ``view`` on roles, changing grants ``change`` (as on the role's access page).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.users.models import FieldRule, Role, RoleGrant
from guanxi.users.services import access as services


def _label(ct: ContentType) -> str:
    return f"{ct.app_label}.{ct.model}"


class RoleSerializer(EntitySerializer):
    """A role with its grants and field rules (read-only here: they have their own endpoints)."""

    grants = serializers.SerializerMethodField()
    field_rules = serializers.SerializerMethodField()

    class Meta(EntitySerializer.Meta):
        model = Role
        fields = ["name", "name_en", "description", "is_system", "grants", "field_rules"]
        read_only_fields = ["is_system"]

    def get_grants(self, obj: Role) -> list[dict[str, Any]]:
        return grant_rows(obj)

    def get_field_rules(self, obj: Role) -> list[dict[str, Any]]:
        return field_rule_rows(obj)


def grant_rows(role: Role) -> list[dict[str, Any]]:
    grants = RoleGrant.objects.filter(role=role).order_by("content_type__app_label", "content_type__model")
    return [
        {"content_type": _label(g.content_type), "actions": list(g.actions), "scope": g.scope} for g in grants
    ]


def field_rule_rows(role: Role) -> list[dict[str, Any]]:
    rules = FieldRule.objects.filter(role=role).order_by(
        "content_type__app_label", "content_type__model", "field_name"
    )
    return [
        {"content_type": _label(r.content_type), "field": r.field_name, "access": r.access} for r in rules
    ]


@extend_schema_field(OpenApiTypes.STR)
class ContentTypeField(serializers.Field):
    """An entity type as ``app_label.model``."""

    default_error_messages = {"unknown": gettext_lazy("“%(value)s” is not an entity type.")}

    def to_internal_value(self, data: Any) -> ContentType:
        app_label, _sep, model = str(data).partition(".")
        try:
            return ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"value": data}) from None

    def to_representation(self, value: ContentType) -> str:
        return _label(value)


class GrantInputSerializer(serializers.Serializer):
    content_type = ContentTypeField()
    actions = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=True)
    scope = serializers.CharField(max_length=20)


class FieldRuleInputSerializer(serializers.Serializer):
    content_type = ContentTypeField()
    field = serializers.CharField(max_length=100)
    access = serializers.CharField(max_length=20, allow_blank=True)


def _service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's field-keyed ``ValidationError`` as the API's 400 body."""
    if hasattr(error, "message_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class RoleViewSet(EntityViewSet):
    queryset = Role.objects.all()
    serializer_class = RoleSerializer
    filterset_fields = ["is_system"]

    def _role(self) -> Role:
        # ``view`` is enough to find the role; changing its access needs ``change`` (the services
        # check it again, as for the role page).
        return self.get_object()

    def restrict_action(self) -> str:
        if self.action in ("grants", "field_rules"):
            return "view"
        return super().restrict_action()

    @extend_schema(request=GrantInputSerializer(many=True), responses=GrantInputSerializer(many=True))
    @action(detail=True, methods=["get", "put"], url_path="grants")
    def grants(self, request: Any, pk: Any = None) -> Response:
        role = self._role()
        if request.method == "PUT":
            rows = GrantInputSerializer(data=request.data, many=True)
            rows.is_valid(raise_exception=True)
            wanted = {row["content_type"]: (row["actions"], row["scope"]) for row in rows.validated_data}
            try:
                services.save_role_grants(role, wanted, actor=request.user)
            except DjangoValidationError as error:
                raise _service_errors(error) from None
        return Response(grant_rows(role))

    @extend_schema(request=FieldRuleInputSerializer(many=True), responses=FieldRuleInputSerializer(many=True))
    @action(detail=True, methods=["get", "put"], url_path="field-rules")
    def field_rules(self, request: Any, pk: Any = None) -> Response:
        role = self._role()
        if request.method == "PUT":
            rows = FieldRuleInputSerializer(data=request.data, many=True)
            rows.is_valid(raise_exception=True)
            wanted: dict[ContentType, dict[str, str]] = {}
            for row in rows.validated_data:
                wanted.setdefault(row["content_type"], {})[row["field"]] = row["access"]
            try:
                services.save_field_rules(role, wanted, actor=request.user)
            except DjangoValidationError as error:
                raise _service_errors(error) from None
        return Response(field_rule_rows(role))
