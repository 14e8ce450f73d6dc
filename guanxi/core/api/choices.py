"""``/api/v1/core/choice-options/``: the configurable lists' options (``?list=customers.customer.level``).

``display`` is the label in the caller's language. Everyone with ``view`` reads them;
administrators add (POST), rename/recolour and (de)activate
(PATCH), delete (DELETE: 409 while records use the option) and reorder
(POST ``reorder/`` with ``{"list": …, "values": [codes in order]}``). Writes go through
``guanxi.core.choice_services`` like the settings page, so the same checks and change log apply.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.core import choice_services as services
from guanxi.core.models import ChoiceOption
from guanxi.framework.api.errors import Conflict
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.filtersets import EntityFilterSet


class ChoiceOptionFilterSet(EntityFilterSet):
    list = django_filters.CharFilter(field_name="list_name", label=_("list"))
    active = django_filters.BooleanFilter(label=_("active"))
    search_fields = ("value", "label_zh", "label_en")

    class Meta:
        model = ChoiceOption
        fields = ["list", "active"]


class ChoiceOptionSerializer(EntitySerializer):
    list = serializers.CharField(source="list_name", help_text="The list, e.g. `customers.customer.level`.")

    class Meta(EntitySerializer.Meta):
        model = ChoiceOption
        fields = ["list", "value", "label_zh", "label_en", "order", "active", "system", "color"]
        read_only_fields = ["order", "system"]
        validators: list[Any] = []  # the service reports a taken code on the ``value`` field

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:  # the list and the code are fixed once saved
            for field, source in (("list", "list_name"), ("value", "value")):
                if source in attrs and attrs[source] != getattr(self.instance, source):
                    raise serializers.ValidationError({field: [_("This cannot be changed once saved.")]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> ChoiceOption:
        request = self.context["request"]
        return services.add_choice_option(
            actor=request.user,
            list_name=validated_data["list_name"],
            value=validated_data["value"],
            label_zh=validated_data.get("label_zh", ""),
            label_en=validated_data.get("label_en", ""),
            color=validated_data.get("color", ""),
        )

    def update(self, instance: Any, validated_data: dict[str, Any]) -> ChoiceOption:
        actor = self.context["request"].user
        with transaction.atomic():
            if {"label_zh", "label_en", "color"} & set(validated_data):
                instance = services.update_choice_option(
                    instance,
                    actor=actor,
                    label_zh=validated_data.get("label_zh", instance.label_zh),
                    label_en=validated_data.get("label_en", instance.label_en),
                    color=validated_data.get("color", instance.color),
                )
            if "active" in validated_data:
                instance = services.set_choice_option_active(
                    instance, actor=actor, active=validated_data["active"]
                )
        return instance


class ChoiceOptionViewSet(EntityViewSet):
    queryset = ChoiceOption.objects.order_by("list_name", "order", "pk")
    serializer_class = ChoiceOptionSerializer
    filterset_class = ChoiceOptionFilterSet

    def perform_destroy(self, instance: Any) -> None:
        try:
            services.delete_choice_option(instance, actor=self.request.user)
        except services.OptionInUse as error:
            raise Conflict(error.message_dict["value"][0], code="in_use") from None

    @extend_schema(
        request=inline_serializer(
            "ChoiceOptionReorder", {"list": serializers.CharField(), "values": serializers.ListField()}
        ),
        responses=ChoiceOptionSerializer(many=True),
    )
    @action(detail=False, methods=["post"])
    def reorder(self, request: Any) -> Response:
        """Put a list's options in the order of ``values`` (every code of the list once)."""
        list_name, values = request.data.get("list"), request.data.get("values")
        if not isinstance(list_name, str) or not isinstance(values, list):
            raise serializers.ValidationError(
                {"values": [_("Give the list and every code of it in the new order.")]}
            )
        services.reorder_choice_options(
            actor=request.user, list_name=list_name, values=[str(v) for v in values]
        )
        rows = self.get_queryset().filter(list_name=list_name)
        return Response(self.get_serializer(rows, many=True).data)
