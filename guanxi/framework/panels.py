"""Extra context for the generic detail page, contributed by modules (the framework knows none).

>>> @register_detail_context
... def team_panel(request, obj):
...     return {"show_team_panel": True, "team": ...}

The organisation module adds the "Team" card this way; later modules add theirs (related deals,
tickets…) without the generic view importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DetailContext = Callable[[Any, Any], dict[str, Any]]
_PROVIDERS: list[DetailContext] = []


def register_detail_context(provider: DetailContext) -> DetailContext:
    _PROVIDERS.append(provider)
    return provider


def detail_context(request: Any, obj: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _PROVIDERS:
        context.update(provider(request, obj))
    return context
