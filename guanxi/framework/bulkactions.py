"""Extra actions on a list's selected rows (transfer, move to pool…), added by modules.

The generic list shows "Edit selected" and "Delete selected" by itself; a module adds its own
button for a model without touching the list template::

    register_bulk_action(Customer, _("Transfer"), "customers:customer_bulk_transfer",
                         icon="arrows-exchange", action="assign")

The button posts the selected ``pk`` values to
``url_name``; that view re-reads the rows through ``restrict(user, action)`` and calls a
service. The button shows only to users who hold ``action`` on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class BulkAction:
    """One button on a model's list: its label, target URL name, icon and required action."""

    label: Any
    url_name: str
    icon: str = "player-play"
    action: str = "change"
    weight: int = 100


_ACTIONS: dict[type[models.Model], dict[str, BulkAction]] = {}


def register_bulk_action(
    model: type[models.Model],
    label: Any,
    url_name: str,
    *,
    icon: str = "player-play",
    action: str = "change",
    weight: int = 100,
) -> BulkAction:
    """Add (or replace, keyed by URL name) a bulk action on ``model``'s list."""
    bulk = BulkAction(label, url_name, icon, action, weight)
    _ACTIONS.setdefault(model, {})[url_name] = bulk
    return bulk


def bulk_actions_for(user: Any, model: type[models.Model]) -> list[BulkAction]:
    """The registered actions on ``model`` that ``user`` may run, lightest first."""
    from guanxi.framework.access import can

    actions = sorted(_ACTIONS.get(model, {}).values(), key=lambda a: (a.weight, a.url_name))
    return [a for a in actions if can(user, a.action, model)]
