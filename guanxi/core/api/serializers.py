"""Serializers of tags, custom-field definitions and change-log entries."""

from __future__ import annotations

from rest_framework import serializers

from guanxi.core.models import CustomField, ExchangeRate, ObjectChange, Tag
from guanxi.framework.api.fields import ContentTypeField, page_once
from guanxi.framework.api.serializers import EntitySerializer


class TagSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Tag
        fields = ["name", "slug", "color", "description"]


class CustomFieldSerializer(EntitySerializer):
    content_type = ContentTypeField()
    related_object_type = ContentTypeField(required=False, allow_null=True)

    class Meta(EntitySerializer.Meta):
        model = CustomField
        fields = [
            "content_type",
            "name",
            "label",
            "label_en",
            "type",
            "required",
            "default",
            "choices",
            "related_object_type",
            "help_text",
            "validation_min",
            "validation_max",
            "validation_regex",
            "group_name",
            "weight",
            "filterable",
            "searchable",
            "search_weight",
            "show_in_table",
        ]


class ObjectChangeSerializer(EntitySerializer):
    object_type = ContentTypeField(source="changed_object_type", read_only=True)
    object_id = serializers.IntegerField(source="changed_object_id", read_only=True)
    related_object_type = ContentTypeField(read_only=True)

    class Meta(EntitySerializer.Meta):
        model = ObjectChange
        fields = [
            "time",
            "user",
            "user_name",
            "request_id",
            "source",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "related_object_type",
            "related_object_id",
            "prechange_data",
            "postchange_data",
            "message",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ObjectChange) -> dict:
        """Before/after values and the record's label (``object_repr``) obey the reader's field
        rules on the changed record's type."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        model = instance.changed_object_type.model_class()
        if request is None or model is None:
            return data
        from guanxi.framework.history import label_changes

        # the stored label under the reader's field rules (``fieldaccess.stored_labels``)
        data["object_repr"] = page_once(
            self, instance, "reader_label", lambda rows: label_changes(request.user, rows)
        )
        from guanxi.framework.fieldaccess import HIDDEN, MASKED, masked_value, rules_for

        rules = rules_for(request.user, model)
        excluded = set(getattr(model, "changelog_exclude", ()))
        for key in ("prechange_data", "postchange_data"):
            if isinstance(data.get(key), dict) and excluded & set(
                data[key]
            ):  # written before it was excluded
                data[key] = {name: value for name, value in data[key].items() if name not in excluded}
            values = data.get(key)
            if not isinstance(values, dict) or not rules:
                continue
            values = dict(values)
            for name, rule in rules.items():
                if name.startswith("cf_") and isinstance(values.get("custom_field_data"), dict):
                    cf_values = dict(values["custom_field_data"])
                    if name[3:] in cf_values:
                        if rule == HIDDEN:
                            cf_values.pop(name[3:])
                        elif rule == MASKED:
                            cf_values[name[3:]] = masked_value(model, name, cf_values[name[3:]])
                    values["custom_field_data"] = cf_values
                elif name in values:
                    if rule == HIDDEN:
                        values.pop(name)
                    elif rule == MASKED:
                        values[name] = masked_value(model, name, values[name])
            data[key] = values
        return data


class ExchangeRateSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from", "note"]
