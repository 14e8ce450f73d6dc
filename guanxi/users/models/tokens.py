from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import BaseModel

TOKEN_PREFIX = "gx_"  # noqa: S105  (a public prefix that makes leaked keys easy to scan for)


class APIToken(BaseModel):
    """A personal access token: stored as a SHA-256 hash, shown once, scoped and expiring.

    The token acts with its user's permissions, further narrowed by ``scopes``: ``read`` (safe
    methods) and/or ``write`` (changes), optionally for one app only (``customers:read``).
    SHA-256 rather than a password hash because the key is 240 random bits: nothing to
    brute-force, and every API call must verify it cheaply.
    """

    SCOPES = ("read", "write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(30)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def readable_apps(self) -> set[str] | None:
        """Apps whose data this token may read (a ``write`` scope reads too); ``None``: every app.

        For endpoints that show several apps' records at once (the change log), which must keep
        to these apps row by row instead of checking the endpoint's own app."""
        apps: set[str] = set()
        for scope in self.scopes:
            app, _sep, level = scope.rpartition(":")
            if level in self.SCOPES:
                if not app:
                    return None
                apps.add(app)
        return apps

    def allows(self, method: str, app_label: str) -> bool:
        """Does a scope of this token cover an HTTP ``method`` on ``app_label``'s endpoints?"""
        wanted = {"write"} if method not in ("GET", "HEAD", "OPTIONS") else {"read", "write"}
        for scope in self.scopes:
            app, _sep, level = scope.rpartition(":")
            if level in wanted and app in ("", app_label):
                return True
        return False
