"""URL map: pages, the REST API under /api/v1/, schema and docs, health check."""

from django.urls import include, path

from guanxi.framework.api.docs import api_docs_urls
from guanxi.framework.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("guanxi.core.urls")),
    path("", include("guanxi.users.urls")),
    path("api/v1/", include("guanxi.api_urls")),
    *api_docs_urls(),
]
