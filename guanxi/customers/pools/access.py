"""Who sees which public pool, and the row-access extension that opens pooled customers.

Pooled customers have no owner, so a rep with scope 本人 cannot reach them through the data scope.
``pool_row_access`` (registered with ``guanxi.framework.access.register_row_access``) ORs in:

* ``view``: customers waiting in pools visible to the user's department (a pool's departments and
  their sub-departments; a pool with no departments is visible to everyone) or administered by
  the user;
* ``change`` / ``assign``: customers waiting in pools the user administers.

The policy calls it only for users holding the action on customers at all. The pool ids are a
part of the user's cached access snapshot (recomputed when the organisation version moves: pool
changes bump it) and used as a literal list — a handful of pools, not a growing id list — so the
extension is one ``pool_id IN (…)`` on the list's own query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from guanxi.framework.access import register_snapshot_part, snapshot_part

POOL_PART = "customers.pools"


@dataclass(frozen=True)
class PoolIds:
    """The pools a user sees and the pools they administer (ids)."""

    visible: tuple[int, ...]
    administered: tuple[int, ...]


def department_ancestor_ids(user: Any) -> list[int]:
    """The user's department and every department above it (read from the materialised path)."""
    department = getattr(user, "department", None) if getattr(user, "department_id", None) else None
    if department is None:
        return []
    return [int(part) for part in department.path.split(".") if part]


def compute_pool_ids(user: Any) -> PoolIds:
    """Pools visible to / administered by ``user``, read from the database."""
    from guanxi.customers.models import Pool

    if not (user is not None and user.is_authenticated and user.is_active):
        return PoolIds((), ())
    active = Pool.objects.filter(active=True)
    if user.is_superuser:
        everything = tuple(active.values_list("pk", flat=True))
        return PoolIds(everything, everything)
    administered = tuple(active.filter(admins=user).values_list("pk", flat=True))
    ancestors = department_ancestor_ids(user)
    # One query: pools without departments, plus pools naming one of the user's ancestors.
    rows = active.values_list("pk", "departments")
    visible = {pk for pk, dept in rows if dept is None or dept in ancestors}
    return PoolIds(tuple(sorted(visible | set(administered))), administered)


# Part of the user's cached access snapshot: pool changes bump the organisation version
# (pool_hooks watches Pool and its department / administrator sets).
register_snapshot_part(POOL_PART, compute_pool_ids)


def pool_ids(user: Any) -> PoolIds:
    """Pools visible to / administered by ``user``, from the user's access snapshot."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return PoolIds((), ())
    return snapshot_part(user, POOL_PART)


def visible_pools(user: Any) -> Any:
    """The active pools ``user`` may open, by name (the pool switcher)."""
    from guanxi.customers.models import Pool

    return Pool.objects.filter(pk__in=pool_ids(user).visible).order_by("-is_default", "name")


def administers(user: Any, pool: Any) -> bool:
    """Pool administrators (and superusers) may assign from the pool and move customers in."""
    return pool is not None and pool.pk in pool_ids(user).administered


def pool_row_access(user: Any, action: str) -> Q | None:
    """The extension for ``restrict(Customer)``: pooled customers of the user's pools."""
    ids = pool_ids(user)
    if action == "view":
        chosen = ids.visible
    elif action in ("change", "assign"):
        chosen = ids.administered
    else:
        return None
    if not chosen:
        return None
    return Q(pool_id__in=list(chosen), owner__isnull=True)
