"""``/api/v1/core/events/``: the event outbox, read-only, for integrators.

A reader sees an event when they may view its entity type (and, with a token, a scope of the token
covers the entity's app) and either

* their view of that type is unrestricted (scope "all", a superuser, or the ``core.view_event``
  permission of an auditor/integration account) — then also events of deleted records, or
* the record still exists inside ``restrict(user, "view")``.

Payloads, typed-event data and changed-field lists obey the reader's field rules on the entity;
so do the record's label (``object_repr``) and the payload's ``display``, both stored under no rule
(``fieldaccess.stored_labels``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from guanxi.core.api.filtersets import ContentTypeFilter
from guanxi.core.models import Event
from guanxi.framework.access import can
from guanxi.framework.api.fields import ContentTypeField, page_once
from guanxi.framework.api.viewsets import ReadOnlyEntityViewSet
from guanxi.framework.events.payloads import changed_for_reader, for_reader
from guanxi.framework.fieldaccess import stored_labels
from guanxi.framework.models import ChangeLoggedModel


class EventSerializer(serializers.ModelSerializer):
    """One event as its reader may see it."""

    entity = ContentTypeField(source="entity_type", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "occurred_at",
            "kind",
            "entity",
            "object_id",
            "object_repr",
            "actor",
            "actor_name",
            "request_id",
            "source",
            "changed_fields",
            "payload",
            "data",
            "status",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Event) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            return data
        model = ContentType.objects.get_for_id(instance.entity_type_id).model_class()
        user = request.user
        # the record's label stored with the event, read under the reader's field rules
        data["object_repr"] = page_once(self, instance, "reader_label", lambda rows: label_events(user, rows))
        data["payload"] = for_reader(request.user, model, data["payload"])
        payload = data["payload"]
        if data["object_repr"] != instance.object_repr and isinstance(payload, dict) and "display" in payload:
            payload["display"] = data["object_repr"]  # the serializer's ``display``, stored under no rule too
        data["data"] = for_reader(request.user, model, data["data"])
        data["changed_fields"] = changed_for_reader(request.user, model, data["changed_fields"])
        return data


def label_events(user: Any, events: list[Event]) -> list[Event]:
    """Set ``reader_label`` on each event: its record's label as ``user`` may read it
    (``fieldaccess.stored_labels``: one query per type for the page)."""
    labels = stored_labels(user, [(e.entity_type_id, e.object_id, e.object_repr) for e in events])
    for event, text in zip(events, labels, strict=True):
        event.reader_label = text  # type: ignore[attr-defined]
    return events


class EventFilterSet(django_filters.FilterSet):
    """``?entity=customers.customer&object_id=7&kind=updated&since=…&until=…&after_id=…``."""

    entity = ContentTypeFilter(field_name="entity_type", label=_("Entity type"))
    object_id = django_filters.NumberFilter(label=_("Record id"), min_value=1, max_value=2**63 - 1)
    kind = django_filters.CharFilter(label=_("Kind"))
    source = django_filters.CharFilter(label=_("Source"))
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("From"))
    until = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte", label=_("To"))
    after_id = django_filters.NumberFilter(
        field_name="id", lookup_expr="gt", label=_("After event id"), min_value=0, max_value=2**63 - 1
    )

    class Meta:
        model = Event
        fields: list[str] = []


class SignedInPermission(BasePermission):
    """An active, signed-in user (token scopes are applied per entity by the queryset)."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


def visible_events(user: Any, token: Any, queryset: models.QuerySet) -> models.QuerySet:
    """Events of records ``user`` may view, of apps ``token`` (if any) may read."""
    token_allows = getattr(token, "allows", None)
    if can(user, "view", Event) and token_allows is None:
        return queryset
    condition = models.Q(pk__in=[])
    for model in apps.get_models():
        if not issubclass(model, ChangeLoggedModel):  # events are about change-logged records
            continue
        if token_allows is not None and not token_allows("GET", model._meta.app_label):
            continue
        if not can(user, "view", model):
            continue
        ct = ContentType.objects.get_for_model(model)
        if can(user, "view", Event):
            condition |= models.Q(entity_type=ct)
            continue
        visible = model._default_manager.all().restrict(user, "view")  # type: ignore[attr-defined]
        if not visible.query.where:  # unrestricted: events of deleted records too
            condition |= models.Q(entity_type=ct)
        else:
            condition |= models.Q(entity_type=ct, object_id__in=visible.values("pk"))
    return queryset.filter(condition)


class EventViewSet(ReadOnlyEntityViewSet):
    """The outbox as integrators read it (see the module docstring for who sees what)."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    permission_classes = [SignedInPermission]
    ordering_fields = ["occurred_at", "id"]

    def restrict_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return visible_events(self.request.user, self.request.auth, queryset)
