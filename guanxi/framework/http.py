"""The request type of signed-in views, for type checking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from guanxi.users.models import User


class AuthedRequest(HttpRequest):
    """The request a view behind ``login_required`` sees: signed in and annotated by django-htmx."""

    user: User
    htmx: HtmxDetails
