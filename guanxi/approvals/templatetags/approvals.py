"""``{% awaiting_approvals as n %}``: how many requests wait for the user (the bell's line)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_approvals(context: Any) -> int:
    from guanxi.approvals.views import awaiting_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return awaiting_count(user)
