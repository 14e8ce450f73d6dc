"""Serializer bases: an entity's API representation is derived from its model's features.

``EntitySerializer`` gives every record ``id``, ``url`` and ``display``, then the model's own
fields (``Meta.fields``), then what its base class provides: ``owner``/``department``, ``tags``,
``custom_fields`` and the created/updated stamps. Foreign keys are written as ids and read as
``{id, url, display}``. Validation runs the model's ``full_clean()``, so ``clean()`` rules,
custom-field definitions and unique constraints apply to the API exactly as to forms; Django's
errors come back as DRF field errors (``custom_fields.<name>`` for custom fields). Writes are
atomic and tags are replaced through ``guanxi.framework.tags.set_tags`` (which logs them).

>>> class CustomerSerializer(EntitySerializer):
...     class Meta(EntitySerializer.Meta):
...         model = Customer
...         fields = ["name", "industry", "phone"]
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.utils import model_meta

from guanxi.framework.api import schema  # noqa: F401  (registers the OpenAPI shapes of our fields)
from guanxi.framework.api.fields import (
    BriefRelatedField,
    CustomFieldsField,
    DisplayField,
    EntityURLField,
    TagsField,
)
from guanxi.framework.models import CustomFieldsMixin, model_features

STANDARD_FIELDS = ("id", "url", "display")
FEATURE_FIELDS = {
    "owner": ("owner", "department"),
    "tags": ("tags",),
    "custom_fields": ("custom_fields",),
    "change_log": ("created_at", "created_by", "updated_at", "updated_by"),
}
FEATURE_ORDER = ("owner", "tags", "custom_fields", "change_log")


def django_errors_to_drf(exc: DjangoValidationError, field_map: dict[str, str] | None = None) -> dict:
    """A Django ValidationError as ``{field: [messages]}`` using the serializer's field names.

    ``cf_<name>`` (custom-field errors from ``validate_custom_field_data``) becomes
    ``custom_fields.<name>``; ``__all__`` becomes ``non_field_errors``."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    out: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key == NON_FIELD_ERRORS:
            name = api_settings.NON_FIELD_ERRORS_KEY
        elif key.startswith("cf_"):
            name = f"custom_fields.{key[3:]}"
        elif key == "custom_field_data":
            name = "custom_fields"
        else:
            name = field_map.get(key, key)
        out.setdefault(name, []).extend(messages)
    return out


class BriefSerializer(serializers.Serializer):
    """``{id, url, display}``: a related record inside another record (schema component ``Brief``)."""

    id = serializers.IntegerField(read_only=True)
    url = EntityURLField()
    display = DisplayField()


class EntitySerializer(serializers.ModelSerializer):
    """Base serializer of every Guanxi model; see the module docstring for what it adds."""

    serializer_related_field = BriefRelatedField
    _bulk_item_class: ClassVar[type[serializers.Serializer]]  # set by bulk_item_serializer()

    url = EntityURLField()
    display = DisplayField()
    custom_fields = CustomFieldsField()
    tags = TagsField()

    class Meta:
        model: type[models.Model] | None = None
        fields: list[str] | str = []
        #: feature names (``owner``, ``tags``, ``custom_fields``, ``change_log``) not to expose
        exclude_features: tuple[str, ...] = ()

    @classmethod
    def entity_model(cls) -> type[models.Model]:
        """``Meta.model``, which every concrete entity serializer declares."""
        model = cls.Meta.model
        assert model is not None, f"{cls.__name__}.Meta.model is not set"
        return model

    # --- fields -------------------------------------------------------------------------------
    def get_field_names(self, declared_fields: Any, info: Any) -> list[str]:
        # The feature fields are placed by the base (and only where the model has the feature).
        feature_declared = ("custom_field_data", "custom_fields", "tags")
        names = [n for n in super().get_field_names(declared_fields, info) if n not in feature_declared]
        features = model_features(self.entity_model()) - set(getattr(self.Meta, "exclude_features", ()))
        ordered = list(STANDARD_FIELDS) + names
        for feature in FEATURE_ORDER:
            if feature in features:
                ordered.extend(FEATURE_FIELDS[feature])
        return list(dict.fromkeys(ordered))  # de-duplicated, order kept

    def build_field(
        self, field_name: str, info: Any, model_class: Any, nested_depth: int
    ) -> tuple[type, dict]:
        from guanxi.framework.moneyfields import money_field

        money = money_field(model_class, field_name)
        if money is not None:  # a MoneyField: {"amount": "12.50", "currency": "CNY"}
            from guanxi.framework.api.money import MoneyAPIField

            return MoneyAPIField, {"money": money}
        return super().build_field(field_name, info, model_class, nested_depth)

    # --- field rules (hidden / read-only / masked) ---------------------------------------------
    def _field_rules(self) -> dict[str, str]:
        from guanxi.framework.fieldaccess import rules_for

        request = self.context.get("request")
        return rules_for(getattr(request, "user", None), self.entity_model()) if request is not None else {}

    def to_representation(self, instance: Any) -> Any:
        return apply_read_rules(super().to_representation(instance), self._field_rules(), self.entity_model())

    def to_internal_value(self, data: Any) -> Any:
        # Before any field validation: a unique or format check on a restricted field would
        # answer differently for different guesses.
        self._refuse_restricted_writes(data)
        return super().to_internal_value(data)

    def _refuse_restricted_writes(self, data: Any) -> None:
        """A field the user may not read in clear or may not change is refused whenever it is
        sent at all, with the same message whatever the value: comparing the value sent with the
        stored one would tell a masked value one guess at a time (and silently dropping it would
        hide the user's mistake)."""
        rules = self._field_rules()
        if not rules or not isinstance(data, dict):
            return
        errors: dict[str, list[str]] = {}
        message = _("You may not change this field.")
        incoming = data.get("custom_fields")
        for name in rules:
            if name.startswith("cf_"):
                if isinstance(incoming, dict) and name[3:] in incoming:
                    errors[f"custom_fields.{name[3:]}"] = [message]
            elif name in data:
                errors[name] = [message]
        if errors:
            raise serializers.ValidationError(errors)

    # --- validation ---------------------------------------------------------------------------
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Apply ``attrs`` to a copy of the record and run the model's ``full_clean()`` on it."""
        attrs = super().validate(attrs)
        model = self.entity_model()
        self._refuse_state_writes(model, attrs)
        self._refuse_inactive_options(model, attrs)
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        field_names = {f.name for f in model._meta.concrete_fields}
        for key, value in attrs.items():
            if key in field_names:
                setattr(candidate, key, value)
        if isinstance(candidate, CustomFieldsMixin):  # the model has the custom_fields feature
            attrs["custom_field_data"] = candidate.custom_field_data = self._merged_custom_fields(attrs)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc, self._source_to_field())) from None
        # clean() may normalise values (custom fields to canonical form, for one): keep its output.
        for key in list(attrs):
            if key in field_names:
                attrs[key] = getattr(candidate, key)
        return attrs

    def _refuse_state_writes(self, model: type[models.Model], attrs: dict[str, Any]) -> None:
        """States start in an initial state and then move only through ``…/{id}/transition/``."""
        from guanxi.framework.statemachine import refuse_state_writes

        try:
            refuse_state_writes(model, self.instance, attrs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc)) from None

    def _refuse_inactive_options(self, model: type[models.Model], attrs: dict[str, Any]) -> None:
        """A configurable list's deactivated option stays on the records that have it, but is
        not set anew (the forms do not offer it either)."""
        from guanxi.core.choices import check_active, choice_list_fields

        errors: dict[str, list[str]] = {}
        for name, list_name in choice_list_fields(model).items():
            if name in attrs:
                try:
                    check_active(list_name, attrs[name], getattr(self.instance, name, None))
                except DjangoValidationError as error:
                    errors[name] = error.messages
        if errors:
            raise serializers.ValidationError(errors)

    def _merged_custom_fields(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """PATCH merges into the stored values (``null`` clears one); POST fills in defaults."""
        from guanxi.framework.customfields import broken_fields_for, fields_for

        defined = {cf.name: cf for cf in fields_for(self.entity_model())}
        # a broken (skipped) definition's stored values are kept, not dropped, until it is repaired
        defined.update({cf.name: cf for cf in broken_fields_for(self.entity_model())})
        incoming = attrs.get("custom_field_data")
        if self.instance is None:
            data = {name: cf.default for name, cf in defined.items() if cf.default not in (None, "")}
        else:
            # Values of fields whose definition was deleted are dropped, not reported as unknown.
            data = {k: v for k, v in (self.instance.custom_field_data or {}).items() if k in defined}
            if incoming is not None and not self.partial:
                data = {}
        if incoming is not None:
            data.update(incoming)
        return {k: v for k, v in data.items() if v is not None}

    def _source_to_field(self) -> dict[str, str]:
        mapping = {f.source: name for name, f in self.fields.items() if f.source not in ("*", None)}
        for name, f in self.fields.items():
            money = getattr(f, "money", None)  # a MoneyAPIField: its columns' errors are its own
            if money is not None:
                mapping.update({money.amount_attname: name, money.currency_attname: name})
        return mapping

    # --- saving -------------------------------------------------------------------------------
    def _actor(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _write(self, instance: models.Model, many_to_many: dict[str, Any], tags: Any) -> models.Model:
        """Save through the write path (``guanxi.framework.write.save_object``); the viewset
        checks visibility once the whole request's writes are done."""
        from guanxi.framework.write import RecordLocked, save_object

        try:
            save_object(
                instance,
                actor=self._actor(),
                expected_version=self.context.get("expected_version"),
                check_visible=False,
                tags=tags,
            )
        except RecordLocked:
            raise  # a locked record (an approval is pending) is a 409, not a field error
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc, self._source_to_field())) from None
        for name, value in many_to_many.items():
            getattr(instance, name).set(value)
        return instance

    def _split_many_to_many(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        info = model_meta.get_field_info(self.entity_model())
        return {
            name: validated_data.pop(name)
            for name, relation in info.relations.items()
            if relation.to_many and name in validated_data
        }

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        tags = validated_data.pop("tags", None)
        many_to_many = self._split_many_to_many(validated_data)
        with transaction.atomic():
            return self._write(self.entity_model()(**validated_data), many_to_many, tags)

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        tags = validated_data.pop("tags", None)
        many_to_many = self._split_many_to_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with transaction.atomic():
            return self._write(instance, many_to_many, tags)


class BulkDeleteItemSerializer(serializers.Serializer):
    """One item of a bulk delete: ``{"id": 3}``."""

    id = serializers.IntegerField()


def bulk_item_serializer(serializer_class: type[EntitySerializer]) -> type[serializers.Serializer]:
    """The serializer of one bulk-update item: the entity's serializer with a writable ``id``."""
    cached = getattr(serializer_class, "_bulk_item_class", None)
    if cached is not None and cached.__dict__.get("_bulk_of") is serializer_class:
        return cached
    name = serializer_class.__name__.removesuffix("Serializer")
    meta = serializer_class.Meta
    fields = meta.fields if meta.fields == serializers.ALL_FIELDS else ["id", *meta.fields]
    item_meta = type("Meta", (meta,), {"fields": fields})
    attrs = {
        "id": serializers.IntegerField(),
        "Meta": item_meta,
        "_bulk_of": serializer_class,
        "__module__": __name__,
    }
    item = type(f"{name}BulkItemSerializer", (serializer_class,), attrs)
    serializer_class._bulk_item_class = item
    return item


def apply_read_rules(data: Any, rules: Mapping[str, str], model: type[models.Model]) -> Any:
    """``data`` (a record's representation) as read under ``rules`` (``fieldaccess.rules_for``):
    hidden keys dropped, masked ones masked, custom fields (``cf_<name>``) inside
    ``custom_fields`` (``fieldaccess.apply_to_values``). Shared by entity serializers and the
    nested ones of their lines (a quote line's money under the quote's grand total:
    ``fieldaccess.RollUp``)."""
    if not rules:
        return data
    from guanxi.framework.fieldaccess import apply_to_values

    return apply_to_values(data, rules, model, custom_keys=("custom_fields",))


class RuledLinesMixin:
    """For a plain nested serializer of a document's lines (``serializers.ModelSerializer``):
    reads each line under the requesting user's field rules on the line model."""

    def to_representation(self, instance: Any) -> Any:
        from guanxi.framework.fieldaccess import rules_for

        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        model = type(instance)
        return apply_read_rules(data, rules_for(getattr(request, "user", None), model), model)
