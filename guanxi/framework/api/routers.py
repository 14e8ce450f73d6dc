"""The API router: ``/api/v1/<app_label>/<kebab-plural>/`` and NetBox-style bulk routes.

Each app with endpoints has an ``api/urls.py`` that builds an ``EntityRouter(app_label)`` and
registers its viewsets with a kebab-case plural prefix; ``guanxi.api_urls`` discovers those
modules, mounts each under ``<app_label>/`` and lists them in the API root. Route names are
``api:<app_label>-<model_name>-list`` / ``-detail`` (what ``fields.api_url`` reverses).

>>> router = EntityRouter("customers")
>>> router.register("customers", CustomerViewSet)
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
