"""OpenAPI (drf-spectacular) descriptions of the API's own fields, token authentication and the
bulk endpoints, so ``manage.py spectacular --validate --fail-on-warn`` passes for every entity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework.generics import GenericAPIView

if TYPE_CHECKING:
    from guanxi.framework.api.serializers import EntitySerializer

BULK_ACTIONS = ("bulk_update", "bulk_partial_update", "bulk_destroy")


def _basic_type(kind: OpenApiTypes) -> dict[str, Any]:
    schema = build_basic_type(kind)
    assert schema is not None  # only OpenApiTypes.NONE has no schema
    return schema


class TokenAuthScheme(OpenApiAuthenticationExtension):
    target_class = "guanxi.framework.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token, sent as `Authorization: Token <key>`.",
        }


class EntityURLFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "guanxi.framework.api.fields.EntityURLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return {**_basic_type(OpenApiTypes.URI), "readOnly": True, "nullable": True}


class BriefRelatedFieldSchema(OpenApiSerializerFieldExtension):
    """Read: the ``Brief`` component ``{id, url, display}``; write: the record's id."""

    target_class = "guanxi.framework.api.fields.BriefRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            return _basic_type(OpenApiTypes.INT)
        from guanxi.framework.api.serializers import BriefSerializer

        component = auto_schema.resolve_serializer(BriefSerializer, direction)
        return component.ref


class CustomFieldsFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "guanxi.framework.api.fields.CustomFieldsField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": {},
            "description": "Values of the custom fields defined for this entity type, by key. "
            "PATCH merges with the stored values; null clears one.",
        }


class TagsFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "guanxi.framework.api.fields.TagsField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            schema = build_array_type({"oneOf": [{"type": "string"}, {"type": "integer"}]})
            schema["description"] = "Tag slugs or ids; replaces the record's tags."
            return schema
        return build_array_type(
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "slug": {"type": "string"},
                    "color": {"type": "string"},
                },
                "required": ["id", "name", "slug", "color"],
            }
        )


class ContentTypeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "guanxi.framework.api.fields.ContentTypeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return {"type": "string", "example": "core.tag", "description": "Entity type as app_label.model."}


class EntityAutoSchema(AutoSchema):
    """Describes the NetBox-style bulk endpoints (PUT/PATCH/DELETE on a list URL) of entity viewsets."""

    def _bulk_action(self) -> str | None:
        action = getattr(self.view, "action", None)
        return action if action in BULK_ACTIONS else None

    def get_operation_id(self) -> str:
        action = self._bulk_action()
        if action is None:
            return super().get_operation_id()
        tokens = [t.replace("-", "_") for t in self._tokenize_path()]
        return "_".join([*tokens, action])

    # drf-spectacular's AutoSchema.get_description() takes no arguments; the DRF stubs' base class
    # (ViewInspector) declares (path, method).
    def get_description(self) -> str:  # type: ignore[override]
        action = self._bulk_action()
        if action == "bulk_destroy":
            return 'Delete several records at once: a list of `{"id": N}`. All or nothing.'
        if action:
            return "Change several records at once: a list of objects, each with its `id`. All or nothing."
        return super().get_description()

    def _entity_serializer_class(self) -> type[EntitySerializer]:
        # Bulk actions exist only on EntityViewSet, a GenericAPIView serving an EntitySerializer.
        return cast("type[EntitySerializer]", cast(GenericAPIView, self.view).get_serializer_class())

    def get_request_serializer(self) -> Any:
        from guanxi.framework.api.serializers import BulkDeleteItemSerializer, bulk_item_serializer

        action = self._bulk_action()
        if action == "bulk_destroy":
            return BulkDeleteItemSerializer(many=True)
        if action:
            return bulk_item_serializer(self._entity_serializer_class())(many=True)
        return super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        from guanxi.framework.api.team import RECORD_ANSWERING_DELETES

        action = self._bulk_action()
        if action == "bulk_destroy":
            return {204: None}
        if action:
            return self._entity_serializer_class()(many=True)
        if self.method == "DELETE" and getattr(self.view, "action", None) in RECORD_ANSWERING_DELETES:
            return {200: self._entity_serializer_class()}  # not drf-spectacular's 204 for a DELETE
        return super().get_response_serializers()

    def _tokenize_path(self) -> list[str]:
        # Operation ids and tags read ``core_tags_list`` / ``core``, without the API version.
        tokens = super()._tokenize_path()
        return tokens[1:] if tokens[:1] == ["v1"] else tokens

    def get_filter_backends(self) -> list[Any]:
        return [] if self._bulk_action() else super().get_filter_backends()

    def _get_paginator(self) -> Any:
        return None if self._bulk_action() else super()._get_paginator()
