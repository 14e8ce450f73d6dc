"""Sign-in audit: every login, logout, failed login and lockout becomes a ``core.AuditEvent`` row.

Receivers of Django's auth signals and django-axes' ``user_locked_out``. AuditEvent is not a
change-logged model, so a plain create is right here (no actor context needed). Failed logins
never store the password; the user name typed is kept because that is what an administrator
investigating a brute-force attempt needs to see.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from guanxi.core.models import AuditEvent
from guanxi.framework.middleware import client_ip

USER_AGENT_MAX = 300
USERNAME_MAX = 150


def record_auth_event(
    event: str,
    request: HttpRequest | None,
    *,
    user: Any = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one AuditEvent for a sign-in related ``event`` (an ``AuditEvent.EventChoices`` value)."""
    meta = request.META if request is not None else {}
    if user is not None and not username:
        username = user.get_username()
    return AuditEvent.objects.create(
        event=event,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:USERNAME_MAX],
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        detail=detail or {},
    )


@receiver(user_logged_in, dispatch_uid="guanxi_audit_login")
def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_auth_event(AuditEvent.EventChoices.LOGIN, request, user=user)


@receiver(user_logged_out, dispatch_uid="guanxi_audit_logout")
def on_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:  # logging out an anonymous session: nothing to record
        return
    record_auth_event(AuditEvent.EventChoices.LOGOUT, request, user=user)


@receiver(user_login_failed, dispatch_uid="guanxi_audit_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced sensitive values; keep only the user name.
    username = str(credentials.get("username", ""))
    record_auth_event(AuditEvent.EventChoices.LOGIN_FAILED, request, username=username)


@receiver(user_locked_out, dispatch_uid="guanxi_audit_locked_out")
def on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    record_auth_event(AuditEvent.EventChoices.LOCKED_OUT, request, username=username or "")
