"""``/api/schema/`` (OpenAPI 3, public) and ``/api/docs/`` (Swagger UI, served offline).

Swagger UI's files come from ``drf_spectacular_sidecar`` (static files, no CDN). The split view
serves its start-up script as a separate JavaScript URL, so our ``script-src`` needs no inline
script; Swagger UI does set inline styles, so that one page's policy adds ``'unsafe-inline'`` to
``style-src`` only (``csp_override`` replaces the whole policy, hence the copy of the setting).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import cast

from django.conf import settings
from django.urls import URLPattern, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def docs_csp() -> dict[str, list[str]]:
    """The site policy with inline styles allowed (Swagger UI needs them, scripts stay strict)."""
    # Our SECURE_CSP holds lists of sources; the type checker only sees dict[str, object].
    site = cast("Mapping[str, Collection[str]]", settings.SECURE_CSP)
    policy = {key: list(value) for key, value in site.items()}
    policy["style-src"] = [*policy.get("style-src", [CSP.SELF]), CSP.UNSAFE_INLINE]
    return policy


def api_docs_urls() -> list[URLPattern]:
    return [
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path(
            "api/docs/",
            csp_override(docs_csp())(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
            name="api-docs",
        ),
    ]
