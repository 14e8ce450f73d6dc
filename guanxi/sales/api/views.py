"""Viewsets of ``/api/v1/sales/deals/``, ``…/pipelines/`` and ``…/stages/`` (routed from the
entity registry: ``guanxi/sales/entities.py``).

A deal moves with the generic ``POST …/deals/{id}/transition/`` (``{"transition": "stage_12",
"reason": "price"}``; ``GET …/transitions/`` lists the stages it may enter now) or with
``POST …/deals/{id}/move/`` (``{"stage": 12, "reason": …, "amount_amount": …}``), which also fills
the fields the stage requires. ``move`` also takes an open stage of another pipeline the user works
with: the deal changes pipelines (its stage history records it). Send the ``ETag`` back as
``If-Match`` to get a 409 instead of moving a deal someone changed meanwhile.

The deal team (协同人) is the record team every owned record has: ``GET``/``POST
…/deals/{id}/team/`` and ``DELETE …/deals/{id}/team/{user}/`` come from the framework
(``guanxi.framework.api.team``); both writes answer the deal, whose ``team`` lists the members.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.framework.api.errors import Conflict
from guanxi.framework.api.serializers import django_errors_to_drf
from guanxi.framework.api.team import team_prefetch
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.statemachine import TransitionConflict
from guanxi.framework.write import StaleWrite
from guanxi.sales import services
from guanxi.sales.api.serializers import DealSerializer, PipelineSerializer, StageSerializer
from guanxi.sales.filtersets import DealFilterSet, PipelineFilterSet, StageFilterSet
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.models.pipeline import REQUIRABLE_FIELDS

MoveSerializer = inline_serializer(
    "DealMove",
    fields={
        "stage": serializers.IntegerField(),
        "reason": serializers.CharField(required=False),
        "note": serializers.CharField(required=False),
    },
)


class DealViewSet(EntityViewSet):
    queryset = Deal.objects.select_related("customer", "pipeline", "stage").prefetch_related(team_prefetch())
    serializer_class = DealSerializer
    filterset_class = DealFilterSet

    @extend_schema(
        request=MoveSerializer,
        summary="Move the deal to another stage of its pipeline, or to an open stage of another pipeline",
    )
    @action(detail=True, methods=["post"], required_action="view")
    def move(self, request: Any, pk: Any = None) -> Response:
        deal = self.get_object()
        data = request.data if isinstance(request.data, dict) else {}
        stage = (
            Stage.objects.filter(pk=int(data["stage"])).first()
            if str(data.get("stage", "")).isdigit()
            else None
        )
        if stage is None:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError({"stage": [_("Choose a stage of the deal's pipeline.")]})
        fields = {k: data[k] for k in REQUIRABLE_FIELDS if k in data}
        try:
            services.move_deal(
                deal,
                stage,
                actor=request.user,
                reason=str(data.get("reason") or ""),
                note=str(data.get("note") or ""),
                fields=fields,
                expected_version=request.headers.get("If-Match"),
            )
        except (TransitionConflict, StaleWrite) as conflict:
            raise Conflict(
                conflict.messages[0] if isinstance(conflict, DjangoValidationError) else str(conflict)
            ) from None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc)) from None
        deal.refresh_from_db()
        return Response(self.get_serializer(deal).data)


class PipelineViewSet(EntityViewSet):
    queryset = Pipeline.objects.prefetch_related("departments")
    serializer_class = PipelineSerializer
    filterset_class = PipelineFilterSet


class StageViewSet(EntityViewSet):
    queryset = Stage.objects.all()
    serializer_class = StageSerializer
    filterset_class = StageFilterSet
