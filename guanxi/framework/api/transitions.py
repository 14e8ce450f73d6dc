"""``POST …/{id}/transition/`` and ``GET …/{id}/transitions/`` on every viewset whose model has a
state machine (``guanxi.framework.statemachine``); viewsets of other models do not route them.

``POST`` takes ``{"transition": "disqualify", "reason": "…"}`` (the transition's inputs beside its
name) and answers the record; 400 with field messages when the transition is unknown, not
possible from the current state, refused by a guard or missing an input; 403 without the
transition's verb; 409 when someone else moved the record meanwhile (or, with ``If-Match``,
changed it at all). ``GET`` lists the transitions the caller may take now, with their inputs.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.framework.api.errors import Conflict
from guanxi.framework.statemachine import (
    TransitionConflict,
    allowed_transitions,
    describe,
    get_transition,
    machines_for,
    transition,
)

TRANSITION_ACTIONS = ("transition", "transitions")


class TransitionRequestSerializer(serializers.Serializer):
    """The transition's name; its inputs travel beside it (``"reason": "…"``)."""

    transition = serializers.CharField()


TransitionListSerializer = inline_serializer(
    "AllowedTransition",
    fields={
        "name": serializers.CharField(),
        "label": serializers.CharField(),
        "target": serializers.CharField(),
        "needs_approval": serializers.BooleanField(),
        "inputs": serializers.ListField(child=serializers.DictField()),
    },
    many=True,
)


class TransitionActionsMixin:
    """Adds the two actions; ``get_extra_actions`` hides them for models without a machine."""

    required_action: str | None = None  # set per action (ModelActionPermission reads it)

    @classmethod
    def get_extra_actions(cls) -> list[Any]:
        actions = super().get_extra_actions()  # type: ignore[misc]
        queryset = getattr(cls, "queryset", None)
        if queryset is not None and machines_for(queryset.model):
            return actions
        return [a for a in actions if a.__name__ not in TRANSITION_ACTIONS]

    @extend_schema(request=TransitionRequestSerializer, summary="Take a state transition")
    @action(detail=True, methods=["post"], required_action="view")
    def transition(self, request: Any, pk: Any = None) -> Response:
        """Take one of the record's state transitions (``GET …/transitions/`` lists them)."""
        obj = self.get_object()  # type: ignore[attr-defined]
        data = request.data if isinstance(request.data, dict) else {}
        name = data.get("transition")
        if not isinstance(name, str) or not name:
            raise serializers.ValidationError({"transition": [_("Name the transition to take.")]})
        _machine, declared = get_transition(obj, name)
        if not declared.direct:
            raise serializers.ValidationError(
                {"transition": [_("“%(transition)s” has its own action.") % {"transition": declared.label}]}
            )
        inputs = {k: v for k, v in data.items() if k != "transition"}
        try:
            transition(
                obj, name, actor=request.user, expected_version=request.headers.get("If-Match"), **inputs
            )
        except TransitionConflict as exc:
            raise Conflict(exc.messages[0]) from None
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]

    @extend_schema(responses=TransitionListSerializer, summary="Transitions the caller may take")
    @action(detail=True, methods=["get"], required_action="view", pagination_class=None, filter_backends=[])
    def transitions(self, request: Any, pk: Any = None) -> Response:
        """The transitions the caller may take from the record's current state."""
        obj = self.get_object()  # type: ignore[attr-defined]
        return Response([describe(t) for t in allowed_transitions(obj, request.user, direct_only=True)])
