"""Serializers of users and departments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.users.models import Department, User


class UserSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = User
        fields = [
            "username",
            "name",
            "email",
            "department",
            "manager",
            "job_title",
            "phone",
            "language",
            "time_zone",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    """The caller's own profile, with what they may do (for clients that adapt their interface)."""

    is_superuser = serializers.BooleanField(read_only=True)
    permissions = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "is_superuser", "permissions"]
        read_only_fields = fields

    def get_permissions(self, obj: Any) -> list[str]:
        return sorted(obj.get_all_permissions())


class DepartmentSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Department
        fields = ["name", "name_en", "parent", "manager", "order", "depth"]
        read_only_fields = fields
