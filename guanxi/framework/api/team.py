"""The record team (协同人, ``core.RecordShare``) over the API, on every viewset of a shareable
entity (``guanxi.users.services.access.shareable``: owned records — the same rule that shows the
"Team" card on the record's page); viewsets of other models do not route these actions.

* ``GET …/{id}/team/`` lists the members: ``[{"user": {id, url, display}, "access": "read" |
  "write", "added_by": {…} | null, "added_at": "…"}]``, by name.
* ``POST …/{id}/team/`` with ``{"user": 7, "access": "read" | "write"}`` (``read`` when left
  out) adds a colleague or changes their access; it answers the record.
* ``DELETE …/{id}/team/{user}/`` removes them; it answers the record.

A record embedding its team (a deal's ``team`` field) uses ``TeamMemberSerializer(many=True)``
and prefetches with ``team_prefetch()``: the members read exactly as ``GET …/team/`` lists them.

The record is found among those the caller may **view** (404 otherwise): who may change the team
is the record team's own rule — the owner, the managers above the owner and superusers
(``share_record`` / ``unshare_record``, which write through the write path: change log, events) —
not the HTTP method's verb; anyone else gets a 403 and nothing changes. Bad input is a 400 on the
field to blame (``user``: no such user, deactivated, the owner; ``access``); removing someone who
is not on the team is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.db.models.manager import BaseManager
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from guanxi.framework.api.fields import BriefRelatedField

# ``team`` routes GET (and, mapped onto the same URL, POST ``add_team_member``); the DELETE is
# ``remove_team_member``. Hiding ``team`` and ``remove_team_member`` removes every route.
TEAM_ROUTES = ("team", "remove_team_member")
TEAM_ACTIONS = ("team", "add_team_member", "remove_team_member")
# Actions answering the record although their method is DELETE (the OpenAPI schema says so).
RECORD_ANSWERING_DELETES = ("remove_team_member",)

CHOOSE_COLLEAGUE = gettext_lazy("Choose a colleague.")


def has_team(model: Any) -> bool:
    """Whether records of ``model`` have a record team (the Team card's rule)."""
    from guanxi.users.services.access import shareable

    return shareable(model)


class TeamListSerializer(serializers.ListSerializer):
    """A team given as a record's related manager (an embedded ``team`` field): the prefetched
    members when the view prefetched them (``team_prefetch``), else the members read as a team is
    listed (``as_team_listing``: by name, joined) — after a write, DRF drops the prefetch cache,
    and the answer must still list the team in the order and the shape ``…/team/`` does."""

    def to_representation(self, data: Any) -> Any:
        if isinstance(data, BaseManager):
            cached = getattr(data.instance, "_prefetched_objects_cache", {})  # type: ignore[attr-defined]
            if getattr(data, "prefetch_cache_name", None) not in cached:
                from guanxi.users.services.access import as_team_listing

                data = as_team_listing(data.all())
        return super().to_representation(data)


class TeamMemberSerializer(serializers.Serializer):
    """One member of a record's team: ``GET …/{id}/team/`` lists these, and a record's embedded
    ``team`` field (a deal's) is ``TeamMemberSerializer(many=True)`` over ``team_prefetch()`` — one
    class, so the two cannot drift apart."""

    user = BriefRelatedField(read_only=True)
    access = serializers.CharField(read_only=True, help_text="read (can view) or write (can edit)")
    added_by = BriefRelatedField(source="created_by", read_only=True, allow_null=True)
    added_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        list_serializer_class = TeamListSerializer


def team_prefetch(relation: str = "team") -> Prefetch:
    """Prefetch a record's team (its ``GenericRelation`` to ``core.RecordShare``, ``relation``) for
    an embedded ``team`` field: one query for a whole page of records, members ordered and joined
    as ``GET …/{id}/team/`` lists them (``as_team_listing``), so no member costs a query."""
    from guanxi.core.models import RecordShare
    from guanxi.users.services.access import as_team_listing

    return Prefetch(relation, queryset=as_team_listing(RecordShare.objects.all()))


class TeamMemberInputSerializer(serializers.Serializer):
    """Whom to add (a user id) and with which access (``read``, the default, or ``write``)."""

    user = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages=dict.fromkeys(
            ("required", "null", "invalid", "min_value", "max_value"), CHOOSE_COLLEAGUE
        ),
    )
    # Any text: the service says which values are accepted (one message, in one place).
    access = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="read")

    def validate_user(self, value: int) -> Any:
        user = get_user_model()._default_manager.filter(pk=value).first()
        if user is None:
            raise serializers.ValidationError(CHOOSE_COLLEAGUE)
        return user


class TeamActionsMixin:
    """Adds the team actions; ``get_extra_actions`` hides them for models without a record team."""

    required_action: str | None = None  # set per action (ModelActionPermission reads it)

    @classmethod
    def get_extra_actions(cls) -> list[Any]:
        actions = super().get_extra_actions()  # type: ignore[misc]
        queryset = getattr(cls, "queryset", None)
        if queryset is not None and has_team(queryset.model):
            return actions
        return [a for a in actions if a.__name__ not in TEAM_ROUTES]

    def restrict_action(self) -> str:
        # The record is looked for among those the caller may view; the team's own rule
        # (share_record / unshare_record) decides who may change the team.
        if getattr(self, "action", None) in TEAM_ACTIONS:
            return "view"
        return super().restrict_action()  # type: ignore[misc]

    @extend_schema(responses=TeamMemberSerializer(many=True), summary="The record's team")
    @action(
        detail=True,
        methods=["get"],
        url_path="team",
        required_action="view",
        pagination_class=None,
        filter_backends=[],
    )
    def team(self, request: Any, pk: Any = None) -> Response:
        """The colleagues the record is shared with beyond the scope rules, and their access."""
        from guanxi.users.services.access import team_members

        obj = self._team_record()
        context = {"request": request}
        return Response(TeamMemberSerializer(team_members(obj), many=True, context=context).data)

    @extend_schema(
        request=TeamMemberInputSerializer,
        summary="Add a colleague to the record's team, or change their access (read or write)",
    )
    @team.mapping.post
    def add_team_member(self, request: Any, pk: Any = None) -> Response:
        """Add ``user`` to the team with ``access``, or change the access they have."""
        from guanxi.users.services.access import require_team_manager, share_record

        obj = self._team_record()
        require_team_manager(obj, actor=request.user)  # a 403 before any word about the input
        data = TeamMemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        # a Django ValidationError (field-keyed) or PermissionDenied: the API's error handler
        share_record(obj, body["user"], body.get("access") or "read", actor=request.user)
        return self._answer_record()

    @extend_schema(request=None, summary="Remove a colleague from the record's team")
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"team/(?P<user_id>[0-9]+)",
        required_action="view",
    )
    def remove_team_member(self, request: Any, pk: Any = None, user_id: Any = None) -> Response:
        """Take ``user_id`` off the team (a 404 when they are not on it)."""
        from guanxi.users.services.access import require_team_manager, unshare_record

        obj = self._team_record()
        # refused before anything else: who is (not) on the team is no business of theirs
        require_team_manager(obj, actor=request.user)
        wanted = int(user_id)
        member = get_user_model()._default_manager.filter(pk=wanted).first() if wanted < 2**63 else None
        if member is None or not unshare_record(obj, member, actor=request.user):
            raise exceptions.NotFound(_("This colleague is not on the record's team."))
        return self._answer_record()

    def _team_record(self) -> Any:
        """The record, among those the caller may view (404 otherwise), read alone: the team's rule
        needs its owner, not the joins and prefetches its serializer does (``_answer_record``)."""
        view: Any = self
        declared = view.queryset.all().select_related(None).prefetch_related(None)
        obj = get_object_or_404(view.restrict_queryset(declared), pk=view.kwargs["pk"])
        view.check_object_permissions(view.request, obj)
        return obj

    def _answer_record(self) -> Response:
        """The record as its detail endpoint shows it, read again (its team may be part of it)."""
        obj = self.get_object()  # type: ignore[attr-defined]
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]
