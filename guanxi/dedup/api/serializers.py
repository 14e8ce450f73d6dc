"""The duplicates API's representations: a candidate pair with reasons as the caller reads them."""

from __future__ import annotations

from rest_framework import serializers


class RecordRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display = serializers.CharField()
    url = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    """One pair: both records, the score (0–1), the reasons (values masked as the caller sees them)."""

    id = serializers.IntegerField()
    type = serializers.CharField()
    left = RecordRefSerializer()
    right = RecordRefSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    found_at = serializers.DateTimeField()


class DismissSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model, e.g. customers.customer")
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=1000
    )


class CheckSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model, e.g. customers.customer")
    values = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=300))
    exclude = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class PossibleDuplicateSerializer(serializers.Serializer):
    record = RecordRefSerializer()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
