"""Template context for the application shell (navigation, unread notifications)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from guanxi.framework.navigation import navigation_for

    return {
        "nav_groups": lambda: navigation_for(request),
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
