"""``/api/v1/recyclebin/entries/``: the entries the caller may restore (``?type=customers.customer``,
``?deleted_by=<user id>``), ``POST …/{id}/restore/`` and ``DELETE …/{id}/`` (purge, administrators).

The same rules as the page (``guanxi.recyclebin.access``): an entry outside them is a 404; a
refused restore is a 409 with the reason, a purge by a non-administrator a 403. Nothing changes on
a refusal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from guanxi.framework.api.errors import Conflict
from guanxi.framework.api.permissions import TokenScopePermission
from guanxi.framework.fieldaccess import label
from guanxi.recyclebin import services
from guanxi.recyclebin.access import restorable_entries
from guanxi.recyclebin.api.serializers import RecycleBinEntrySerializer, RestoredSerializer
from guanxi.recyclebin.models import RecycleBinEntry


@extend_schema(
    parameters=[
        OpenApiParameter("type", str, description="app_label.model, e.g. customers.customer"),
        OpenApiParameter("deleted_by", int, description="id of the user who deleted the record"),
    ]
)
class RecycleBinEntryViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Deleted records in the recycle bin that the caller may restore."""

    queryset = RecycleBinEntry.objects.all()
    serializer_class = RecycleBinEntrySerializer
    permission_classes = [TokenScopePermission]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[RecycleBinEntry]:
        entries = (
            restorable_entries(self.request.user)
            .select_related("content_type", "deleted_by")
            .defer("rows", "unlinked")
        )
        if self.action != "list":
            return entries
        label = self.request.query_params.get("type", "")
        if label:
            app_label, _sep, model = label.lower().partition(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        deleter = self.request.query_params.get("deleted_by", "")
        if deleter:
            entries = entries.filter(deleted_by_id=int(deleter)) if deleter.isdigit() else entries.none()
        return entries

    @extend_schema(request=None, responses={200: RestoredSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request: Any, pk: Any = None) -> Response:
        entry = self.get_object()
        try:
            restored = services.restore_entry(entry, actor=request.user)
        except services.RestoreRefused as refused:
            raise Conflict(" ".join(refused.messages)) from refused
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
        record = restored.record
        body = {
            "type": record._meta.label_lower,
            "id": record.pk,
            "url": record.get_absolute_url() if hasattr(record, "get_absolute_url") else "",
            "display": label(request.user, record),
            "left_out": restored.left_out,
        }
        return Response(RestoredSerializer(body).data, status=status.HTTP_200_OK)

    def perform_destroy(self, instance: RecycleBinEntry) -> None:
        try:
            services.purge_entry(instance, actor=self.request.user)
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
