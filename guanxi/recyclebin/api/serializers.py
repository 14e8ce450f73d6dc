"""The recycle bin's API representation: what was deleted, by whom, when, and what went with it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guanxi.framework.api.fields import page_once
from guanxi.recyclebin.access import label_entries
from guanxi.recyclebin.models import RecycleBinEntry


class RecycleBinEntrySerializer(serializers.ModelSerializer):
    type = serializers.SerializerMethodField(help_text="app_label.model of the deleted record")
    deleted_by = serializers.SerializerMethodField()

    class Meta:
        model = RecycleBinEntry
        fields = [
            "id",
            "type",
            "object_id",
            "object_repr",
            "deleted_at",
            "deleted_by",
            "purge_after",
            "related",
            "related_count",
        ]
        read_only_fields = fields

    def to_representation(self, instance: RecycleBinEntry) -> dict[str, Any]:
        """``object_repr``: the deleted record's label as the caller may read it (``access.label_entries``:
        a part masked or hidden for them is masked or left out, read from the kept copy)."""
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        data["object_repr"] = page_once(
            self, instance, "reader_label", lambda rows: label_entries(user, rows)
        )
        return data

    def get_type(self, entry: RecycleBinEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "display": {"type": "string"}},
        }
    )
    def get_deleted_by(self, entry: RecycleBinEntry) -> dict[str, Any] | None:
        if entry.deleted_by_id is None:
            return None
        return {"id": entry.deleted_by_id, "display": str(entry.deleted_by or entry.deleted_by_name)}


class RestoredSerializer(serializers.Serializer):
    """The restored record (``{id, url, display}`` and its type) and how many related rows stayed out."""

    type = serializers.CharField()
    id = serializers.IntegerField()
    url = serializers.CharField()
    display = serializers.CharField()
    left_out = serializers.IntegerField()
