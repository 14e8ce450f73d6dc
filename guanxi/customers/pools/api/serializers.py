"""Serializers of pools, pool rules and the release/move actions' body."""

from __future__ import annotations

from rest_framework import serializers

from guanxi.customers.models import Pool, PoolRule
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.users.models import Department, User


class PoolSerializer(EntitySerializer):
    departments = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        read_only=False,
        queryset=Department.objects.all(),
    )
    admins = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=User.objects.all())

    class Meta(EntitySerializer.Meta):
        model = Pool
        fields = [
            "name",
            "description",
            "departments",
            "admins",
            "active",
            "is_default",
            "max_owned_customers",
            "max_claims_per_day",
            "reclaim_cooloff_days",
        ]


class PoolRuleSerializer(EntitySerializer):
    departments = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Department.objects.all()
    )

    class Meta(EntitySerializer.Meta):
        model = PoolRule
        fields = [
            "pool",
            "name",
            "levels",
            "no_follow_up_days",
            "no_won_deal_days",
            "warn_days_before",
            "active",
            "departments",
        ]


class ReleaseSerializer(serializers.Serializer):
    pool = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True, required=False, default="")
