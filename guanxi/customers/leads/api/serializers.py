"""Serializers of the lead API: the lead, and the convert and assign actions' bodies."""

from __future__ import annotations

from rest_framework import serializers

from guanxi.customers.models import Lead
from guanxi.framework.api.serializers import EntitySerializer

READ_ONLY = (
    "possible_duplicate", "assigned_at", "last_contacted_at", "capture_form", "converted_at",
    "converted_customer", "converted_contact", "converted_by",
)  # fmt: skip


# status and disqualify_reason: a new lead starts open; afterwards they change through
# POST …/leads/{id}/transition/ (EntitySerializer refuses other values) or …/convert/.


class LeadSerializer(EntitySerializer):
    allow_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta(EntitySerializer.Meta):
        model = Lead
        fields = [
            "name", "company", "title", "phone", "email", "wechat_id", "province", "city", "source",
            "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer",
            "landing_page", "status", "disqualify_reason", "notes", *READ_ONLY, "allow_duplicate",
        ]  # fmt: skip
        read_only_fields = READ_ONLY


class ConvertSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, allow_null=True)
    customer_fields = serializers.DictField(required=False)
    create_contact = serializers.BooleanField(required=False, default=True)


class AssignSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
