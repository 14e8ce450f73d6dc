"""Use cases of personal API tokens: create one (the key is shown once), revoke one.

Both leave a ``core.AuditEvent`` (``token_created`` / ``token_revoked``) naming the token and the
first characters of its key, which is what appears in a server log or a leaked config file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.models import AuditEvent
from guanxi.framework.context import current_context
from guanxi.users.models import APIToken

KEY_PREFIX_LENGTH = 10  # "gx_" + 7 random characters: enough to recognise, useless to guess


def valid_scopes() -> set[str]:
    """``read``, ``write`` and ``<app_label>:read|write`` for every installed Guanxi app."""
    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("guanxi.")]
    return {*APIToken.SCOPES, *(f"{label}:{level}" for label in labels for level in APIToken.SCOPES)}


def _audit(event: str, token: APIToken, actor: Any) -> None:
    ctx = current_context()
    AuditEvent.objects.create(
        event=event,
        user=actor if getattr(actor, "pk", None) else None,
        username=actor.get_username() if getattr(actor, "pk", None) else "",
        ip_address=ctx.ip_address if ctx is not None else None,
        detail={
            "token_id": token.pk,
            "name": token.name,
            "prefix": token.key_prefix,
            "owner": token.user.get_username(),
            "scopes": list(token.scopes),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )


def create_token(
    user: Any,
    *,
    name: str,
    scopes: Iterable[str] = ("read",),
    expires_at: datetime.datetime | None = None,
    actor: Any,
) -> tuple[APIToken, str]:
    """Create a token for ``user``; returns the token and its key, which is never stored or shown again.

    Raises ``ValidationError`` keyed ``name`` / ``scopes`` / ``expires_at``.
    """
    name = (name or "").strip()
    scopes = list(dict.fromkeys(scopes or []))
    errors: dict[str, list[str]] = {}
    max_name = APIToken._meta.get_field("name").max_length
    assert max_name is not None  # a CharField
    if not name:
        errors["name"] = [_("Give the token a name, so you know later what uses it.")]
    elif len(name) > max_name:
        errors["name"] = [_("At most %(n)d characters.") % {"n": max_name}]
    unknown = [s for s in scopes if not isinstance(s, str) or s not in valid_scopes()]
    if unknown:
        errors["scopes"] = [_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(map(str, unknown))}]
    elif not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    key = APIToken.generate_key()
    with transaction.atomic():
        token = APIToken.objects.create(
            user=user,
            name=name,
            scopes=scopes,
            expires_at=expires_at,
            key_prefix=key[:KEY_PREFIX_LENGTH],
            key_hash=APIToken.hash_key(key),
        )
        _audit(AuditEvent.EventChoices.TOKEN_CREATED, token, actor)
    return token, key


def revoke_token(token: APIToken, *, actor: Any) -> None:
    """Delete ``token``: requests with its key fail from now on."""
    with transaction.atomic():
        _audit(AuditEvent.EventChoices.TOKEN_REVOKED, token, actor)
        token.delete()
