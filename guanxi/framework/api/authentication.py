"""``Authorization: Token <key>`` authentication against hashed, scoped, expiring API tokens."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

LAST_USED_RESOLUTION = 60  # seconds; avoids a write on every call of a busy integration


class TokenAuthentication(authentication.BaseAuthentication):
    """Looks the key's SHA-256 up; refuses expired tokens and inactive users; the user's saved
    language and time zone apply to the rest of the request, as they do for a session's user."""

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give exactly one token."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        from guanxi.users.models import APIToken

        token = APIToken.objects.select_related("user").filter(key_hash=APIToken.hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This user account is inactive."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The token's user is known only now, after the middleware: their language and time zone
        # apply from here on (a refused permission's message included, which DRF raises next).
        from guanxi.framework.middleware import activate_user_preferences

        activate_user_preferences(request._request, token.user)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
