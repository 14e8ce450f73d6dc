"""Wires public pools into the generic pages (imported once from ``CustomersConfig.ready``).

Registers: the row-access extension (pooled customers for the pool's departments), the
customer-page cards (put back / claim, pool status), the "My day" card, the customer list's
"Move to pool" bulk action and the pool menu groups. The customer timeline's pool moves
(``pool_moves_source``) are declared with the customer entity (``customers/entities.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer, Pool, PoolMove
from guanxi.customers.pools.access import pool_ids, pool_row_access, visible_pools
from guanxi.framework.access import can, register_row_access
from guanxi.framework.bulkactions import register_bulk_action
from guanxi.framework.cards import register_card
from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group
from guanxi.framework.timeline import TimelineEntry
from guanxi.users.access_version import watch_access_models

register_row_access(Customer, pool_row_access)
# Who sees which pool is part of each user's cached access snapshot.
watch_access_models(Pool, fields=("active",), m2m=(Pool.departments.through, Pool.admins.through))
register_bulk_action(
    Customer,
    _("Move to pool"),
    "customers:customer_bulk_move_to_pool",
    icon="inbox",
    action="assign",
    weight=50,
)

register_menu_group("pools", _("Public pools"), weight=110)
add_menu_items(
    "pools",
    [
        MenuItem(
            _("Public pool"),
            "customers:pool_index",
            icon="inbox",
            permission="customers.view_customer",
            weight=10,
        ),
        MenuItem(
            _("Pool rules dry-run"),
            "customers:pool_dry_run",
            icon="list-search",
            permission="customers.assign_customer",
            weight=20,
        ),
    ],
)
# Pools and pool rules (entities.py) are administrators' settings.
register_menu_group("pool_settings", _("Pool settings"), weight=810, staff_only=True)


ICONS = {
    "returned": "arrow-back-up",
    "released": "arrow-back-up",
    "moved": "inbox",
    "claimed": "hand-grab",
    "assigned": "user-check",
    "warned": "alert-triangle",
}


def pool_moves_source(obj: Any, user: Any, before: dt.datetime | None, limit: int) -> list[TimelineEntry]:
    """The customer's pool moves, newest first, each as a sentence in the reader's language."""
    if not isinstance(obj, Customer):
        return []
    rows = PoolMove.objects.filter(customer=obj).select_related("pool", "actor", "from_user", "to_user")
    if before is not None:
        rows = rows.filter(time__lt=before)
    return [
        TimelineEntry(
            time=move.time,
            kind="pool",
            icon=ICONS.get(move.action, "inbox"),
            title=str(move.get_action_display()),
            actor=move.actor,
            body=move.reason(),
            url=f"/customers/pools/{move.pool_id}/" if move.pool_id else "",
        )
        for move in rows.order_by("-time", "-id")[:limit]
    ]


@register_card("detail.actions", "customers/pools/customer_actions.html", weight=20)
def pool_actions_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """ "Put back in pool" (owners; managers move) or "Claim" (pooled customers the user sees)."""
    if not isinstance(obj, Customer) or request is None:
        return None
    user = request.user
    if obj.owner_id is None:
        if obj.pool_id and obj.pool_id in pool_ids(user).visible and can(user, "change", Customer):
            return {"pool_claim": True}
        return None
    may = (obj.owner_id == user.pk and can(user, "change", obj)) or can(user, "assign", obj)
    pools = list(visible_pools(user)) if may else []
    if not pools:
        return None
    return {"pool_release": True, "release_pools": pools}


@register_card("detail.side", "customers/pools/customer_status.html", weight=20)
def pool_status_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """In pool X since …, previous owner; or: returns to X in N days under rule R unless …"""
    if not isinstance(obj, Customer):
        return None
    from guanxi.customers.pools.services.rules import next_return

    now = timezone.now()
    if obj.pool_id and obj.owner_id is None:
        return {"pool_status": "pooled", "pool": obj.pool, "previous_owner": obj.previous_owner}
    planned = next_return(obj, now)
    if planned is None:
        return None
    return {"pool_status": "owned", "pool_next": planned, "pool_sentence": planned.preview(now)}


@register_card("home.main", "customers/pools/home_returning.html", weight=30)
def returning_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """ "About to return to the pool": the user's warned or due customers, soonest first."""
    if request is None or not can(request.user, "view", Customer):
        return None
    from guanxi.customers.pools.services.rules import upcoming_returns

    now = timezone.now()
    upcoming = [
        {"planned": p, "days_left": max(0, (p.due - now).days)}
        for p in upcoming_returns(request.user, now)[:10]
    ]
    return {"pool_upcoming": upcoming}
