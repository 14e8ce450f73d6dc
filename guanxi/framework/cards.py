"""Cards that modules add to generic pages, by named slot, without the page importing them.

A *slot* is a place on a page: ``detail.actions`` (buttons beside Edit/Delete on a record's page),
``detail.notices`` (notes under the page header: why an action is not offered),
``detail.main`` (cards under the profile), ``detail.side`` (sidebar cards) and ``home.main`` (the
"My day" page). A module registers a template for a slot with a *provider* that returns the extra
context for the template, or ``None`` to leave the card out for this request and record::

    @register_card("detail.side", "pools/customer_pool_card.html", weight=20)
    def customer_pool_card(request, obj):
        if not isinstance(obj, Customer):
            return None
        return {"pool_status": pool_status(obj)}

Pages render a slot with ``{% load cards %}{% cards "detail.side" %}``; ``obj`` is the page's
``object`` (``None`` on pages without one). Lower ``weight`` comes first. Providers read through
``restrict()`` like any other view code: a card shows nothing its reader may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CardProvider = Callable[[Any, Any], "dict[str, Any] | None"]
SLOTS = ("detail.actions", "detail.notices", "detail.main", "detail.side", "home.main")


@dataclass(frozen=True)
class Card:
    """One registered card: where it goes, what renders it and what feeds it."""

    slot: str
    template: str
    provider: CardProvider
    weight: int


_CARDS: dict[tuple[str, str], Card] = {}


def register_card(slot: str, template: str, *, weight: int = 100) -> Callable[[CardProvider], CardProvider]:
    """Decorator: show ``template`` in ``slot`` with the context the decorated provider returns."""
    if slot not in SLOTS:
        raise ValueError(f"Unknown card slot {slot!r}; use one of {', '.join(SLOTS)}.")

    def decorator(provider: CardProvider) -> CardProvider:
        # Keyed by slot and template, so a re-imported module replaces its card instead of doubling it.
        _CARDS[(slot, template)] = Card(slot, template, provider, weight)
        return provider

    return decorator


def cards_for(slot: str) -> list[Card]:
    """The cards registered for ``slot``, lightest first."""
    return sorted((c for c in _CARDS.values() if c.slot == slot), key=lambda c: (c.weight, c.template))


def card_contexts(slot: str, request: Any, obj: Any) -> list[tuple[Card, dict[str, Any]]]:
    """Each card of ``slot`` that its provider wants shown, with the provider's context."""
    shown = []
    for card in cards_for(slot):
        data = card.provider(request, obj)
        if data is not None:
            shown.append((card, data))
    return shown
