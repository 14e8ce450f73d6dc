"""Template context for the application shell (navigation, unread notifications)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from guanxi.framework.navigation import navigation_for

    # Lazy and memoised: pages that never show the menu or the bell pay nothing, and a page that
    # shows the unread count twice (bell + notifications page) counts once.
    return {
        "nav_groups": SimpleLazyObject(lambda: navigation_for(request)),
        "unread_notifications": SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count()
        ),
    }
