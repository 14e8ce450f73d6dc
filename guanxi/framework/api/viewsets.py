"""Viewset bases: every entity's endpoints are these classes plus a queryset and a serializer.

* The queryset is always ``restrict(user, action)`` of the declared one (view for reads, change
  for PUT/PATCH, delete for DELETE): a record outside the caller's scope is a 404, never a 403 —
  except one they may view (a read share, a read-only scope): changing or deleting it is a 403
  saying they may only view it.
* Foreign keys the serializer shows are ``select_related`` and tags prefetched automatically.
* After a create or update the record must still be visible to its writer, else the write is
  rolled back and answered 403 (you may not move a record out of your own reach).
* The actor context (``guanxi.framework.context``) gets the authenticated user — including token
  users, known only once DRF has authenticated — and ``source = "api"``.
* Bulk endpoints on the list URL: PUT/PATCH with ``[{"id": 1, ...}, ...]``, DELETE with
  ``[{"id": 1}, ...]``; all items succeed or nothing changes.

>>> class CustomerViewSet(EntityViewSet):
...     queryset = Customer.objects.select_related("industry")
...     serializer_class = CustomerSerializer
...     filterset_class = CustomerFilterSet
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from guanxi.framework.api.filters import StrictOrderingFilter
from guanxi.framework.api.merge import MergeActionsMixin
from guanxi.framework.api.schema import EntityAutoSchema
from guanxi.framework.api.team import TeamActionsMixin
from guanxi.framework.api.transitions import TransitionActionsMixin
from guanxi.framework.context import Source, actor_context, current_context
from guanxi.framework.models import model_features
from guanxi.framework.querysets import RestrictedQuerySet
from guanxi.framework.write import OutsideScope, delete_object, delete_objects, ensure_visible, version_of

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ACTION_BY_METHOD = {"PUT": "change", "PATCH": "change", "DELETE": "delete"}
BULK_MAX_ITEMS = 1000
# Why a write on a record the caller may view is refused (one sentence per verb: word order
# differs between languages); see ``EntityViewSet.refuse_a_visible_record``.
VISIBLE_REFUSALS = {
    "change": gettext_lazy("You may view this %(name)s but not change it."),
    "delete": gettext_lazy("You may view this %(name)s but not delete it."),
}


def related_to_select(model: type[models.Model], serializer_class: Any) -> list[str]:
    """Foreign keys the serializer reads (for ``select_related``); content types come from a cache."""
    names = set(serializer_class().fields) if serializer_class is not None else set()
    out = []
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.name in names and field.related_model is not ContentType:
            out.append(field.name)
    return out


class EntityViewSetMixin(GenericAPIView):
    """Restricted queryset, actor context, filters, ordering and schema for every entity viewset."""

    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    schema = EntityAutoSchema()
    _related_cache: dict[type, list[str]]

    # --- request set-up ---------------------------------------------------------------------
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if current_context() is None:  # called outside the middleware (tests using a factory)
            with actor_context(None, source=Source.API):
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user = request.user
        ctx = current_context()
        if ctx is not None:
            ctx.actor = user if user.is_authenticated else None
            ctx.source = Source.API

    # --- queryset ---------------------------------------------------------------------------
    def restrict_action(self) -> str:
        return ACTION_BY_METHOD.get(self.request.method or "", "view")

    def get_queryset(self) -> models.QuerySet:
        return self.restrict_queryset(self.with_related(super().get_queryset()))

    def with_related(self, queryset: models.QuerySet) -> models.QuerySet:
        """Join the foreign keys the serializer shows and prefetch tags (no N+1 on lists)."""
        model = queryset.model
        cache = type(self).__dict__.get("_related_cache")
        if cache is None:
            cache = {}
            type(self)._related_cache = cache
        if model not in cache:
            cache[model] = related_to_select(model, self.get_serializer_class())
        if cache[model]:
            queryset = queryset.select_related(*cache[model])
        if "tags" in model_features(model):
            queryset = queryset.prefetch_related("tagged_items__tag")
        return queryset

    def restrict_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """The single access choke point: only rows the caller may view/change/delete."""
        # Entity viewsets declare a Guanxi model's queryset, built from RestrictedQuerySet.
        return cast(RestrictedQuerySet, queryset).restrict(self.request.user, self.restrict_action())

    def check_still_visible(self, instance: models.Model) -> None:
        """Refuse (and, raised inside the write's transaction, roll back) a write that would put the
        record outside what its writer may see."""
        try:
            ensure_visible(instance, self.request.user)
        except OutsideScope as refused:
            raise PermissionDenied(str(refused)) from None


class ReadOnlyEntityViewSet(EntityViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail only (users, the change log…)."""


class EntityViewSet(
    MergeActionsMixin, TransitionActionsMixin, TeamActionsMixin, EntityViewSetMixin, viewsets.ModelViewSet
):
    """Create, read, update, delete, and bulk update/delete for one entity type (and, for a model
    with a state machine, ``…/{id}/transition/`` and ``…/{id}/transitions/``; for an entity
    declaring ``merge``, ``…/merge/``; for a shareable one, the record team: ``GET``/``POST
    …/{id}/team/`` and ``DELETE …/{id}/team/{user}/``)."""

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """The record, with its version as the ``ETag`` (send it back as ``If-Match`` to update)."""
        response = super().retrieve(request, *args, **kwargs)
        instance = getattr(self, "_retrieved", None)
        if instance is not None and hasattr(instance, "updated_at"):
            response["ETag"] = f'"{version_of(instance)}"'
        return response

    def get_object(self) -> Any:
        try:
            obj = super().get_object()
        except Http404:
            self.refuse_a_visible_record()
            raise
        self._retrieved = obj
        return obj

    def refuse_a_visible_record(self) -> None:
        """A record outside what the caller may change (or delete) but inside what they may view —
        a read share (协同人 "Can view"), a read-only scope — is a 403 saying so, not a 404: they can
        see the record, so pretending it does not exist would only confuse. Both sides are the
        same ``restrict()`` the record's page asks (view to open it, change to edit it)."""
        action = self.restrict_action()
        if action not in VISIBLE_REFUSALS:
            return
        lookup = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not lookup.isdigit() or int(lookup) >= 2**63:
            return
        declared = cast(RestrictedQuerySet, GenericAPIView.get_queryset(self))  # as declared
        visible = declared.select_related(None).prefetch_related(None).restrict(self.request.user, "view")
        if visible.filter(pk=int(lookup)).exists():
            model = declared.model
            raise PermissionDenied(str(VISIBLE_REFUSALS[action]) % {"name": model._meta.verbose_name})

    def perform_create(self, serializer: Any) -> None:
        # the serializer saves through the write path (EntitySerializer.create → save_object)
        with transaction.atomic():
            instance = serializer.save()
            self.check_still_visible(instance)

    def perform_update(self, serializer: Any) -> None:
        # If-Match: the version the client edited (the ETag of a GET, or the record's updated_at)
        serializer.context["expected_version"] = self.request.headers.get("If-Match")
        with transaction.atomic():
            instance = serializer.save()
            self.check_still_visible(instance)

    def perform_destroy(self, instance: models.Model) -> None:
        delete_object(instance, actor=self.request.user)

    # --- bulk -------------------------------------------------------------------------------
    def _bulk_items(self, request: Any) -> tuple[list[dict[str, Any]], dict[int, models.Model]]:
        """The request's items and the records they name (restricted); 400 listing every bad item."""
        items = request.data
        if not isinstance(items, list) or not items:
            raise ValidationError(
                {"non_field_errors": [_("Send a non-empty list of objects, each with the id of a record.")]}
            )
        if len(items) > BULK_MAX_ITEMS:
            raise ValidationError(
                {"non_field_errors": [_("At most %(n)d records per request.") % {"n": BULK_MAX_ITEMS}]}
            )
        errors: dict[str, list[str]] = {}
        ids: list[int] = []
        for index, item in enumerate(items):
            pk = item.get("id") if isinstance(item, dict) else None
            if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
                errors[f"{index}.id"] = [_("Give the id of the record (a whole number).")]
            elif pk in ids:
                errors[f"{index}.id"] = [_("This record is listed more than once.")]
            else:
                ids.append(pk)
        found = self.get_queryset().in_bulk(ids) if ids else {}
        for index, item in enumerate(items):
            if f"{index}.id" not in errors and item["id"] not in found:
                errors[f"{index}.id"] = [
                    _("No record with id %(id)s exists, or you may not change it.") % {"id": item["id"]}
                ]
        if errors:
            raise ValidationError(errors)
        return items, found

    def _bulk_write(self, request: Any, *, partial: bool) -> Response:
        items, found = self._bulk_items(request)
        saved: list[models.Model] = []
        with transaction.atomic():
            errors: dict[str, Any] = {}
            for index, item in enumerate(items):
                data = {key: value for key, value in item.items() if key != "id"}
                serializer = self.get_serializer(found[item["id"]], data=data, partial=partial)
                if not serializer.is_valid():
                    errors[str(index)] = serializer.errors
                    continue
                if not errors:  # once one item failed nothing will be kept: only validate the rest
                    instance = serializer.save()
                    self.check_still_visible(instance)
                    saved.append(instance)
            if errors:
                raise ValidationError(errors)
        return Response(self.get_serializer(saved, many=True).data)

    def bulk_update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return self._bulk_write(request, partial=False)

    def bulk_partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return self._bulk_write(request, partial=True)

    def bulk_destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        items, found = self._bulk_items(request)
        # one delete for all (one recycle-bin snapshot pass): every row or none
        delete_objects([found[item["id"]] for item in items], actor=self.request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
