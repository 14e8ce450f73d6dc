"""The target's API shape: subject (``user`` or ``department``), measure, year, period, amount."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.targets.models import Target


class TargetSerializer(EntitySerializer):
    """A user's target takes the user's department (as on the grid): ``department`` is then
    optional; a department's own target has no ``user``."""

    class Meta(EntitySerializer.Meta):
        model = Target
        fields = ["user", "department", "measure", "year", "period", "amount"]
        extra_kwargs = {"department": {"required": False}}

    def get_validators(self) -> list[Any]:
        # DRF turns the conditional unique constraints (per user / per department) into validators
        # that make ``department`` required always; ``full_clean`` (in ``validate``) checks them
        # with their conditions.
        return []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = attrs.get("user", getattr(self.instance, "user", None))
        if user is not None and user.department_id is not None:
            attrs["department"] = user.department
        elif user is None and attrs.get("department", getattr(self.instance, "department", None)) is None:
            raise serializers.ValidationError({"department": [_("Choose a user or a department.")]})
        return super().validate(attrs)


class GridInputSerializer(serializers.Serializer):
    """``PUT …/targets/grid/``: one department's year × people table of one measure."""

    measure = serializers.CharField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    department = serializers.IntegerField()
    cells = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True)),
        help_text='{"u12": {"m01": "10000", "m02": ""}, "d3": {…}}: a blank month removes its target.',
    )
