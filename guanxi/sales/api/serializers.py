"""Serializers of deals, pipelines and stages. A deal's stage is set on creation (an open stage
of its pipeline; empty: the first) and afterwards changes only through
``POST …/deals/{id}/transition/`` (``{"transition": "stage_<id>", "reason": …}``) or ``…/move/``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.team import TeamMemberSerializer
from guanxi.sales.models import Deal, Pipeline, Stage


class DealSerializer(EntitySerializer):
    # the members as ``GET …/deals/{id}/team/`` lists them: the same serializer (and the view's
    # ``team_prefetch``: one query for the page, whatever the number of members)
    team = TeamMemberSerializer(many=True, read_only=True)
    probability = serializers.IntegerField(source="stage.probability", read_only=True)
    stage_kind = serializers.CharField(source="stage.kind", read_only=True)

    class Meta(EntitySerializer.Meta):
        model = Deal
        fields = [
            "name", "customer", "pipeline", "stage", "stage_kind", "probability", "amount",
            "expected_close_date", "forecast_category", "source", "competitors", "next_step", "description",
            "close_reason", "close_note", "stage_entered_at", "closed_at", "team",
        ]  # fmt: skip
        extra_kwargs = {
            "pipeline": {"required": False},
            "stage": {"required": False},
            "close_reason": {"read_only": True},
            "close_note": {"read_only": True},
        }

    def validate_customer(self, value: Any) -> Any:
        from django.utils.translation import gettext as _

        from guanxi.customers.models import Customer

        user = self._actor()
        if user is not None and not Customer.objects.restrict(user, "view").filter(pk=value.pk).exists():
            raise serializers.ValidationError(
                _("No record with id %(pk)s exists, or you may not see it.") % {"pk": value.pk}
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and (attrs.get("pipeline") is None or attrs.get("stage") is None):
            from django.core.exceptions import ValidationError as DjangoValidationError

            from guanxi.framework.api.serializers import django_errors_to_drf

            probe = Deal(pipeline=attrs.get("pipeline"), stage=attrs.get("stage"))
            try:
                probe.fill_stage_defaults()
            except DjangoValidationError as exc:
                raise serializers.ValidationError(django_errors_to_drf(exc)) from None
            attrs["pipeline"], attrs["stage"] = probe.pipeline, probe.stage
        if self.instance is not None and "pipeline" in attrs and attrs["pipeline"] != self.instance.pipeline:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError(
                {"pipeline": [_("Move the deal to another pipeline from its page.")]}
            )
        return super().validate(attrs)


class PipelineSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Pipeline
        fields = ["name", "name_en", "departments", "is_default", "active", "order"]


class StageSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Stage
        fields = [
            "pipeline",
            "name",
            "name_en",
            "order",
            "probability",
            "kind",
            "stale_after_days",
            "required_fields",
        ]
