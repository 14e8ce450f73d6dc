"""The API router: ``/api/v1/<app_label>/<kebab-plural>/`` and NetBox-style bulk routes.

``EntityRouter(app_label)`` registers by itself every entity of the app that declares a
``serializer`` or ``viewset`` in the entity registry (``guanxi.framework.entities``), under its
``api_name``. An app's ``api/urls.py`` only adds what is no entity (extra actions on other
routes, the events feed); an app without one gets a router made for it. ``guanxi.api_urls``
mounts each under ``<app_label>/`` and lists them in the API root. Route names are
``api:<app_label>-<model_name>-list`` / ``-detail`` (what ``fields.api_url`` reverses).

>>> router = EntityRouter("core")
>>> router.register("events", EventViewSet)  # not an entity
>>> urlpatterns = router.urls
"""

from __future__ import annotations

import copy
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import Route, SimpleRouter
from rest_framework.views import APIView

from guanxi.framework.api.fields import API_NAMESPACE

BULK_METHODS = {"put": "bulk_update", "patch": "bulk_partial_update", "delete": "bulk_destroy"}

#: app_label → its router, filled as ``guanxi.api_urls`` mounts them (the API root lists these).
APP_ROUTERS: dict[str, EntityRouter] = {}
#: app_label → {name: URL name} of endpoints that are not router collections (``users/me``).
EXTRA_ENDPOINTS: dict[str, dict[str, str]] = {}


class EntityRouter(SimpleRouter):
    """A router for one app: default basenames ``<app_label>-<model_name>``, bulk list routes."""

    def __init__(self, app_label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_label = app_label
        # Records are looked up by their integer id: ``customers/abc/claim/`` is then no route (404)
        # instead of reaching a view that turns "abc" into a query (a 500). A viewset looking up by
        # something else declares its own ``lookup_value_regex``, which DRF prefers to this default.
        self._default_value_pattern = r"[0-9]+" if getattr(self, "_use_regex", True) else "int"
        # Copy the routes so adding bulk methods never changes DRF's shared class attribute.
        self.routes = copy.deepcopy(self.routes)
        list_route = self.routes[0]
        assert isinstance(list_route, Route)  # SimpleRouter's first route is the list route
        self.routes[0] = list_route._replace(mapping={**list_route.mapping, **BULK_METHODS})
        from guanxi.framework.entities import api_name, default_viewset, entity_types

        for entity in entity_types(app_label):
            if entity.serializer is not None or entity.viewset is not None:
                self.register(api_name(entity), default_viewset(entity))

    def get_default_basename(self, viewset: Any) -> str:
        model = viewset.queryset.model
        return f"{model._meta.app_label}-{model._meta.model_name}"

    def endpoints(self, request: Any = None) -> dict[str, str]:
        """``{prefix: absolute list URL}`` of this app's collections."""
        out: dict[str, str] = {}
        for prefix, _viewset, basename in self.registry:
            try:
                path = reverse(f"{API_NAMESPACE}:{basename}-list")
            except NoReverseMatch:
                continue
            out[prefix] = request.build_absolute_uri(path) if request is not None else path
        return out


class APIRootView(APIView):
    """``/api/v1/``: every collection by app, and where the schema and docs are."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request: Any) -> Response:
        apps: dict[str, dict[str, str]] = {}
        for app_label, router in sorted(APP_ROUTERS.items()):
            apps[app_label] = router.endpoints(request)
            for key, url_name in EXTRA_ENDPOINTS.get(app_label, {}).items():
                apps[app_label][key] = request.build_absolute_uri(reverse(url_name))
        return Response(
            {
                "description": str(_("Guanxi REST API, version 1.")),
                "schema": request.build_absolute_uri(reverse("api-schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
                "endpoints": apps,
            }
        )
