"""Who sees unassigned leads (owner NULL): the lead pool of a department.

A rep's data scope is usually 本人 (own), so a lead nobody owns yet would be invisible to the
people who should pick it up. This row-access extension (``guanxi.framework.access``) opens
unassigned leads **of the user's department and its sub-departments** to users who hold ``view``,
``claim`` or ``assign`` on leads at all — so a rep of 华东销售一部 sees and may claim 一部's pool,
a manager may assign it, and nobody sees another department's pool through it. ``change`` and
``delete`` are not widened: a pooled lead is edited after someone took it. Unassigned leads with
no department are reached only by a scope that covers them (全部, or an administrator).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

POOL_ACTIONS = ("view", "claim", "assign")


def unassigned_lead_access(user: Any, action: str) -> Q | None:
    """``owner IS NULL AND department IN (the user's department subtree)`` for pool actions."""
    from guanxi.users.access import subtree_department_ids

    if action not in POOL_ACTIONS or not getattr(user, "department_id", None):
        return None
    ids = subtree_department_ids(user)
    return Q(owner__isnull=True, department_id__in=ids) if ids else None
