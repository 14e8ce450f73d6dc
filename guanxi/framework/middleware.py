"""Request middleware: the actor context for every request, and the user's remembered language."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from guanxi.framework.context import Source, actor_context


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Opens an actor context (user, request id, web/api source) around each request.

    The request id is echoed in the ``X-Request-ID`` header so a user's report can be matched
    to its change-log entries and log lines.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4()
        request.id = request_id  # type: ignore[attr-defined]
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        # API token users are authenticated later, inside DRF; the API view re-opens the context.
        with actor_context(
            getattr(request, "user", None),
            source=source,
            request_id=request_id,
            ip_address=client_ip(request),
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request_id)
        return response


class UserLanguageMiddleware:
    """A signed-in user's saved language and time zone win over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
            timezone.activate(user.time_zone or settings.TIME_ZONE)
        response = self.get_response(request)
        timezone.deactivate()
        return response
