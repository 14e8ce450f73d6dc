"""``/api/v1/``: the API root and every app's ``api/urls.py``, each mounted under ``<app_label>/``.

An app joins the API through its entities' declarations (``EntityType(serializer=...)``), and
optionally an ``guanxi/<app>/api/urls.py`` with ``router = EntityRouter("<app>")`` for routes that
are no entity and ``urlpatterns = router.urls`` (plus ``extra_endpoints = {"me": "api:users-me"}``
for the root listing); nothing here needs editing.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.urls import include, path

from guanxi.framework.api.fields import API_NAMESPACE
from guanxi.framework.api.routers import APP_ROUTERS, EXTRA_ENDPOINTS, APIRootView, EntityRouter
from guanxi.framework.entities import entity_types

app_name = API_NAMESPACE


def _app_api_urls() -> list:
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("guanxi."):
            continue
        module_name = f"{config.name}.api.urls"
        if (
            importlib.util.find_spec(f"{config.name}.api") is None
            or importlib.util.find_spec(module_name) is None
        ):
            if any(e.serializer is not None or e.viewset is not None for e in entity_types(config.label)):
                router = APP_ROUTERS[config.label] = EntityRouter(config.label)
                EXTRA_ENDPOINTS[config.label] = {}
                patterns.append(path(f"{config.label}/", include(router.urls)))
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, "router"):
            APP_ROUTERS[config.label] = module.router
        EXTRA_ENDPOINTS[config.label] = dict(getattr(module, "extra_endpoints", {}))
        patterns.append(path(f"{config.label}/", include(module_name)))
    return patterns


urlpatterns = [
    path("", APIRootView.as_view(), name="root"),
    *_app_api_urls(),
]
