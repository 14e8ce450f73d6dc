"""Request middleware: the actor context for every request, the user's remembered language, and
the refusal of NUL characters in query strings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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


def activate_user_preferences(request: HttpRequest, user: Any) -> None:
    """For the rest of ``request``: the user's saved language and time zone win over the
    browser's. Called for a session's user by ``UserLanguageMiddleware`` and for an API token's
    user by its authentication, the moment each is known (``UserLanguageMiddleware`` turns the
    time zone off again after the response)."""
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
    timezone.activate(user.time_zone or settings.TIME_ZONE)


class UserLanguageMiddleware:
    """A signed-in user's saved language and time zone win over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_user_preferences(request, user)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


#: Why a request was refused: the message (and translation) of Django's own NUL validator, which
#: form and serializer character fields already use.
NUL_MESSAGE = ProhibitNullCharactersValidator.message


def has_nul(value: object) -> bool:
    return isinstance(value, str) and "\x00" in value


class RefuseNulMiddleware:
    """Answers 400 when the path or a query-string parameter (name or value) has a NUL character.

    PostgreSQL refuses NUL in text, so ``?q=a%00b`` reaching any filter or search would be a 500;
    no search, filter or option list has a use for it. Refusing it here, once, covers every page
    and API list (and any view added later). Placed after the language middleware so the message
    is in the user's language; API paths get the API's JSON error shape, pages the 400 page with
    the message. Form and JSON bodies are checked where they are parsed (form fields, the API's
    parsers), where the error can be attached to the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted(
            {
                key.replace("\x00", "")
                for key, values in request.GET.lists()
                if has_nul(key) or any(has_nul(v) for v in values)
            }
        )
        if "\x00" in request.path:  # a NUL in a <str:…> path segment (``/f/<key>/``) is as bad
            bad.insert(0, "")
        if bad:
            return self.refuse(request, bad)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, names: list[str]) -> HttpResponse:
        message = str(NUL_MESSAGE)
        if request.path.startswith("/api/"):
            body = {"detail": message, "errors": {name or "non_field_errors": [message] for name in names}}
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"detail": message}, status=400)
