"""``POST …/merge/`` on every viewset whose entity declares ``merge=Merge()`` (the registry).

Body: ``{"survivor": 12, "others": [13, 14], "fields": {"phone": 13}, "versions": {"13": "…"}}``
— ``fields`` picks, per field (``cf_<name>`` for a custom field), the record whose value the
survivor keeps (default: the most recent non-empty value); ``versions`` the version tokens the
caller saw (the records' ``ETag``). Answers the survivor with what moved (200); 400 with field
messages (a bad id, an unknown field, a field the caller may not choose); 404 for a record the
caller may not see; 403 without ``change`` on the survivor and ``delete`` on the others; 409 when
a record changed meanwhile or is locked by a pending approval (``guanxi.framework.merging``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.framework.querysets import model_queryset

MERGE_ACTIONS = ("merge",)


class MergeRequestSerializer(serializers.Serializer):
    """Which record survives, which are merged into it, and the chosen values."""

    survivor = serializers.IntegerField(min_value=1)
    others = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)
    # the API's name for the choices; DRF's metaclass takes declared fields off the class, so the
    # serializer's own ``fields`` property is not shadowed
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.IntegerField(min_value=1), required=False
    )
    versions = serializers.DictField(child=serializers.CharField(), required=False)


MergeResponseSerializer = inline_serializer(
    "MergeResult",
    fields={
        "id": serializers.IntegerField(),
        "url": serializers.CharField(),
        "display": serializers.CharField(),
        "merged": serializers.ListField(child=serializers.DictField()),
        "moved": serializers.DictField(child=serializers.IntegerField()),
        "deduplicated": serializers.DictField(child=serializers.IntegerField()),
    },
)


def mergeable(model: Any) -> bool:
    """Whether the entity of ``model`` declares ``merge`` in the registry."""
    from guanxi.framework.entities import entity_for

    entity = entity_for(model)
    return entity is not None and entity.merge is not None


class MergeActionsMixin:
    """Adds ``merge``; ``get_extra_actions`` hides it for entities that do not declare it."""

    @classmethod
    def get_extra_actions(cls) -> list[Any]:
        actions = super().get_extra_actions()  # type: ignore[misc]
        queryset = getattr(cls, "queryset", None)
        if queryset is not None and mergeable(queryset.model):
            return actions
        return [a for a in actions if a.__name__ not in MERGE_ACTIONS]

    @extend_schema(request=MergeRequestSerializer, responses=MergeResponseSerializer, summary="Merge records")
    @action(detail=False, methods=["post"], required_action="view")
    def merge(self, request: Any) -> Response:
        """Merge ``others`` into ``survivor``: their related records move, they go to the recycle bin."""
        from guanxi.framework import merging

        data = MergeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        model = self.get_queryset().model  # type: ignore[attr-defined]
        ids = [body["survivor"], *body["others"]]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError({"others": [_("Each record may be named only once.")]})
        found = model_queryset(model).restrict(request.user, "view").in_bulk(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise Http404(_("No record with id %(pk)s exists, or you may not see it.") % {"pk": missing[0]})
        result = merging.merge(
            found[body["survivor"]],
            [found[pk] for pk in body["others"]],
            actor=request.user,
            choices=body.get("fields"),
            versions=body.get("versions"),
        )
        survivor: Any = result.survivor
        return Response(
            {
                "id": survivor.pk,
                "url": request.build_absolute_uri(survivor.get_absolute_url()),
                "display": str(survivor),
                "merged": [{"id": pk, "display": name} for pk, name in result.merged],
                "moved": result.moved,
                "deduplicated": result.deduplicated,
            }
        )
