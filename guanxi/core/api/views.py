"""Endpoints of tags, custom-field definitions and the change log."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.api.filtersets import ObjectChangeFilterSet
from guanxi.core.api.serializers import (
    CustomFieldSerializer,
    ExchangeRateSerializer,
    ObjectChangeSerializer,
    TagSerializer,
)
from guanxi.core.filtersets import CustomFieldFilterSet, ExchangeRateFilterSet, TagFilterSet
from guanxi.core.models import CustomField, ExchangeRate, ObjectChange, Tag
from guanxi.framework.access import can
from guanxi.framework.api.permissions import TokenScopePermission
from guanxi.framework.api.viewsets import EntityViewSet, ReadOnlyEntityViewSet
from guanxi.framework.models import ChangeLoggedModel


class TagViewSet(EntityViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = TagFilterSet


class CustomFieldViewSet(EntityViewSet):
    queryset = CustomField.objects.all()
    serializer_class = CustomFieldSerializer
    filterset_class = CustomFieldFilterSet


class ExchangeRateViewSet(EntityViewSet):
    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet


def visible_changes(user, queryset: models.QuerySet) -> models.QuerySet:
    """Change-log entries of records ``user`` may view (directly, or through the parent record they
    are logged under). Holders of ``core.view_objectchange`` (auditors) see every entry, including
    those of deleted records."""
    if can(user, "view", ObjectChange):
        return queryset
    condition = models.Q(pk__in=[])
    for model in apps.get_models():
        if not issubclass(model, ChangeLoggedModel):
            continue
        ct = ContentType.objects.get_for_model(model)
        visible = model._default_manager.all().restrict(user, "view").values("pk")
        condition |= models.Q(changed_object_type=ct, changed_object_id__in=visible)
        condition |= models.Q(related_object_type=ct, related_object_id__in=visible)
    return queryset.filter(condition)


def changes_readable_by_token(token: Any, queryset: models.QuerySet) -> models.QuerySet:
    """Only entries of records in apps the API token may read (``customers:read`` reads customer
    changes, not tags'); a session or an app-less scope keeps every entry."""
    apps_ = token.readable_apps() if token is not None and hasattr(token, "readable_apps") else None
    if apps_ is None:
        return queryset
    types = ContentType.objects.filter(app_label__in=sorted(apps_)).values("pk")
    return queryset.filter(changed_object_type__in=types)


class ChangeLogScopePermission(TokenScopePermission):
    """The change log holds every app's records: a token with a read scope for any app may open it,
    and ``changes_readable_by_token`` then keeps each entry to the token's apps."""

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if token is None or not hasattr(token, "readable_apps"):
            return super().has_permission(request, view)
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if token.readable_apps() == set():
            self.message = _("This API token's scopes do not allow this request.")
            return False
        return True


class ObjectChangeViewSet(ReadOnlyEntityViewSet):
    """The change log, limited to records the caller may view and, with an app-scoped token, to
    that app's records; ``?object_type=app.model&object_id=N`` gives one record's history."""

    queryset = ObjectChange.objects.select_related("changed_object_type", "related_object_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    permission_classes = [ChangeLogScopePermission]  # row visibility comes from the changed records
    ordering_fields = ["time", "id"]

    def restrict_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        visible = visible_changes(self.request.user, queryset)
        return changes_readable_by_token(self.request.auth, visible)
