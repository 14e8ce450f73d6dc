"""Public pool (公海) use cases: claim, put back, move in, assign out, and the nightly rule run.

Every function is atomic, writes the customer's change log (``ObjectChange``) and one
``PoolMove`` per customer (the timeline renders it as a sentence), and notifies the people
affected after commit, in each recipient's language. Ownership changes are conditional UPDATEs
(``owner``/``pool`` compared in the WHERE clause), so two people acting on the same customer at
once cannot both win; ``owned_since`` is set to the service's ``now`` (a fake clock in tests).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.customers.pools.access import administers, pool_ids
from guanxi.customers.pools.services.moves import (
    into_pool,
    log_ownership,
    notify_after_commit,
    ownership_rows,
)
from guanxi.customers.pools.services.rules import RETURN, WARN, PlannedMove, plan_returns, short_date
from guanxi.customers.services.conflicts import check_ownership_conflict
from guanxi.framework.access import can

CHUNK = 500


class PoolRuleRefusal(ValidationError):
    """A claim (or put-back) refused by a named pool rule; the message says which and why."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message, code=rule)
        self.rule = rule


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def local_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of ``now``'s day in the site time zone (the per-day claim cap's day)."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def claims_today(user: Any, pool: Any, now: dt.datetime) -> int:
    from guanxi.customers.models import PoolMove

    start, end = local_day(now)
    return PoolMove.objects.filter(
        to_user=user, pool=pool, action=PoolMove.Action.CLAIMED, time__gte=start, time__lt=end
    ).count()


def owned_count(user: Any) -> int:
    from guanxi.customers.models import Customer

    return Customer.objects.filter(owner=user).count()


# -- claim ---------------------------------------------------------------------------------------


def claim_customer(customer: Any, *, actor: Any, now: dt.datetime | None = None) -> Any:
    """``actor`` takes a pooled customer; refused with ``PoolRuleRefusal`` naming the rule.

    Checks, in order: the customer waits in a pool the actor may see; the reclaim cool-off; the
    cap on customers owned; the cap on claims per day; 撞单 (another rep owns a matching
    customer, ``OwnershipConflict``). The claim itself is a conditional UPDATE, so of two reps
    claiming at once exactly one wins.
    """
    from guanxi.customers.models import Customer, PoolMove

    now = _now(now)
    pool = customer.pool
    if pool is None or customer.owner_id is not None:
        raise PoolRuleRefusal(
            _("“%(name)s” is not in a public pool.") % {"name": customer.name}, rule="not_pooled"
        )
    if pool.pk not in pool_ids(actor).visible or not can(actor, "change", Customer):
        raise PoolRuleRefusal(
            _("“%(name)s” is not in a pool visible to you.") % {"name": customer.name}, rule="not_visible"
        )
    if pool.reclaim_cooloff_days and customer.previous_owner_id == actor.pk and customer.pool_entered_at:
        until = customer.pool_entered_at + dt.timedelta(days=pool.reclaim_cooloff_days)
        if now < until:
            raise PoolRuleRefusal(
                _(
                    "You returned this customer on %(returned)s; you may claim it again after "
                    "%(until)s (cool-off %(days)d days)."
                )
                % {
                    "returned": short_date(customer.pool_entered_at),
                    "until": short_date(until),
                    "days": pool.reclaim_cooloff_days,
                },
                rule="cooloff",
            )
    if pool.max_owned_customers is not None:
        owned = owned_count(actor)
        if owned >= pool.max_owned_customers:
            raise PoolRuleRefusal(
                _("You already own %(count)d customers; %(pool)s allows at most %(cap)d per person.")
                % {"count": owned, "pool": pool.name, "cap": pool.max_owned_customers},
                rule="max_owned",
            )
    if pool.max_claims_per_day is not None:
        claimed = claims_today(actor, pool, now)
        if claimed >= pool.max_claims_per_day:
            raise PoolRuleRefusal(
                _("You claimed %(count)d customers today; %(pool)s allows %(cap)d a day.")
                % {"count": claimed, "pool": pool.name, "cap": pool.max_claims_per_day},
                rule="max_per_day",
            )
    check_ownership_conflict(
        actor=actor,
        owner=actor,
        phone=customer.phone,
        email=customer.email,
        credit_code=customer.credit_code,
        name=customer.name if customer.kind == Customer.Kind.COMPANY else "",
        exclude_pk=customer.pk,
    )
    with transaction.atomic():
        candidates = Customer.objects.filter(pk=customer.pk, pool=pool, owner__isnull=True)
        rows = ownership_rows(candidates)
        department_id = actor.department_id or customer.department_id
        won = candidates.update(
            owner=actor,
            **{**Customer.new_owner_values(), "owned_since": now},
            department=department_id,
            updated_at=timezone.now(),
            updated_by=actor,
        )
        if won != 1:
            raise PoolRuleRefusal(
                _("Someone else claimed “%(name)s” a moment ago.") % {"name": customer.name}, rule="taken"
            )
        move = PoolMove(
            customer_id=customer.pk,
            pool=pool,
            action=PoolMove.Action.CLAIMED,
            to_user=actor,
            actor=actor,
            params={"pool": pool.name},
            time=now,
        )
        after = {"owner": actor.pk, "pool": None, "department": department_id}
        log_ownership(rows, after, [move])
    customer.refresh_from_db()
    return customer


# -- put back / move in --------------------------------------------------------------------------


def default_pool() -> Any:
    from guanxi.customers.models import Pool

    return Pool.objects.filter(is_default=True, active=True).first()


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customer goes back to the pool.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    return reason


def release_to_pool(
    customer: Any, *, actor: Any, pool: Any = None, reason: str, now: dt.datetime | None = None
) -> Any:
    """The owner (or someone who may reassign it) puts a customer back, with a required reason."""
    from guanxi.customers.models import Customer, PoolMove

    now = _now(now)
    reason = _clean_reason(reason)
    pool = pool or default_pool()
    if pool is None or not pool.active:
        raise ValidationError({"pool": _("Choose an active pool.")})
    if pool.pk not in pool_ids(actor).visible:
        raise ValidationError({"pool": _("You may not put customers into %(pool)s.") % {"pool": pool.name}})
    mine = customer.owner_id == actor.pk and Customer.objects.restrict(actor, "change").filter(pk=customer.pk)
    if (
        not (mine and mine.exists())
        and not Customer.objects.restrict(actor, "assign").filter(pk=customer.pk).exists()
    ):
        raise PermissionDenied(_("You may only put back customers you own."))
    with transaction.atomic():
        rows = ownership_rows(
            Customer.objects.select_for_update().filter(pk=customer.pk, owner__isnull=False)
        )
        if not rows:
            raise ValidationError(_("“%(name)s” is already in a pool.") % {"name": customer.name})
        into_pool(
            rows,
            pool=pool,
            actor=actor,
            now=now,
            action=PoolMove.Action.RELEASED,
            params_for=lambda row: {"reason": reason, "pool": pool.name},
        )
        if rows[0]["owner_id"] != actor.pk:
            _notify_owner_moved(rows, pool, reason, actor)
    customer.refresh_from_db()
    return customer


def move_to_pool(
    customers: Iterable[Any], *, actor: Any, pool: Any, reason: str, now: dt.datetime | None = None
) -> int:
    """Managers and pool administrators move owned customers into ``pool`` (all or none)."""
    from guanxi.customers.models import Customer, PoolMove

    now = _now(now)
    reason = _clean_reason(reason)
    if pool is None or not pool.active:
        raise ValidationError({"pool": _("Choose an active pool.")})
    pks = [getattr(c, "pk", c) for c in customers]
    allowed = Customer.objects.restrict(actor, "assign")
    if administers(actor, pool):
        allowed = allowed | Customer.objects.restrict(actor, "change")
    with transaction.atomic():
        rows = ownership_rows(allowed.filter(pk__in=pks, owner__isnull=False).order_by("pk").distinct())
        if len(rows) != len(set(pks)):
            raise ValidationError(
                _(
                    "Some selected customers are already in a pool or you may not move them; "
                    "nothing was moved."
                )
            )
        for start in range(0, len(rows), CHUNK):
            into_pool(
                rows[start : start + CHUNK],
                pool=pool,
                actor=actor,
                now=now,
                action=PoolMove.Action.MOVED,
                params_for=lambda row: {"reason": reason, "pool": pool.name},
            )
        _notify_owner_moved([r for r in rows if r["owner_id"] != actor.pk], pool, reason, actor)
    return len(rows)


def _notify_owner_moved(rows: list[dict[str, Any]], pool: Any, reason: str, actor: Any) -> None:
    from guanxi.users.models import User

    by_owner: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        by_owner[row["owner_id"]].append(row["name"])
    for owner in User.objects.filter(pk__in=list(by_owner)):
        names = by_owner[owner.pk]
        notify_after_commit(
            owner,
            lambda n=names: (
                ngettext(
                    "%(count)d of your customers was moved to %(pool)s",
                    "%(count)d of your customers were moved to %(pool)s",
                    len(n),
                )
                % {"count": len(n), "pool": pool.name}
            ),
            body_fn=lambda n=names: "、".join(n[:10]) + f" — {reason}",
            url=f"/customers/pools/{pool.pk}/",
            actor=actor,
        )


# -- assign out ----------------------------------------------------------------------------------


def assign_from_pool(
    customers: Iterable[Any], *, actor: Any, to_user: Any, now: dt.datetime | None = None
) -> int:
    """A pool administrator gives pooled customers to ``to_user`` (all or none; 撞单 checked)."""
    from guanxi.customers.models import Customer, PoolMove

    now = _now(now)
    pks = [getattr(c, "pk", c) for c in customers]
    if to_user is None or not to_user.is_active:
        raise ValidationError({"to_user": _("Choose an active user.")})
    with transaction.atomic():
        targets = list(
            Customer.objects.select_for_update()
            .filter(pk__in=pks, owner__isnull=True, pool__isnull=False)
            .select_related("pool")
        )
        if len(targets) != len(set(pks)) or not all(administers(actor, c.pool) for c in targets):
            raise PermissionDenied(_("You may only assign customers waiting in pools you administer."))
        for customer in targets:
            check_ownership_conflict(
                actor=actor,
                owner=to_user,
                phone=customer.phone,
                email=customer.email,
                credit_code=customer.credit_code,
                name=customer.name if customer.kind == Customer.Kind.COMPANY else "",
                exclude_pk=customer.pk,
            )
        rows = ownership_rows(Customer.objects.filter(pk__in=pks))
        # The customers join the new owner's department (kept when the owner has none).
        moved_department = {"department": to_user.department_id} if to_user.department_id else {}
        Customer.objects.filter(pk__in=pks, owner__isnull=True).update(
            owner=to_user,
            **{**Customer.new_owner_values(), "owned_since": now},
            **moved_department,
            updated_at=timezone.now(),
            updated_by=actor,
        )
        pools: dict[int, Any] = {c.pk: c.pool for c in targets}
        moves = [
            PoolMove(
                customer_id=row["pk"],
                pool=pools[row["pk"]],
                action=PoolMove.Action.ASSIGNED,
                to_user=to_user,
                actor=actor,
                params={"pool": pools[row["pk"]].name},
                time=now,
            )
            for row in rows
        ]
        after = {"owner": to_user.pk, "pool": None, **moved_department}
        log_ownership(rows, after, moves)
        names = [row["name"] for row in rows]
        notify_after_commit(
            to_user,
            lambda: (
                ngettext(
                    "%(count)d customer assigned to you from the pool",
                    "%(count)d customers assigned to you from the pool",
                    len(names),
                )
                % {"count": len(names)}
            ),
            body_fn=lambda: "、".join(names[:10]),
            url="/customers/",
            actor=actor,
        )
    return len(rows)


# -- the nightly run -----------------------------------------------------------------------------


def apply_pool_rules(now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, Any]:
    """Execute ``plan_returns(now)``: return the due customers, warn the owners of the soon-due.

    Idempotent: a second run at the same ``now`` finds nothing more to return (the rows have no
    owner any more) and nobody more to warn (``pool_warned_at`` is newer than the counting moment).
    Returns ``{"returned": n, "warned": n, "plan": [...]}``; ``dry_run`` only plans.
    """
    now = _now(now)
    plan = plan_returns(now)
    summary: dict[str, Any] = {
        "returned": sum(1 for p in plan if p.kind == RETURN),
        "warned": sum(1 for p in plan if p.kind == WARN),
        "plan": plan,
    }
    if dry_run:
        return summary
    returns = [p for p in plan if p.kind == RETURN]
    warnings = [p for p in plan if p.kind == WARN]
    returned = 0
    for start in range(0, len(returns), CHUNK):
        returned += _apply_returns(returns[start : start + CHUNK], now)
    for start in range(0, len(warnings), CHUNK):
        _apply_warnings(warnings[start : start + CHUNK], now)
    summary["returned"] = returned
    return summary


def _apply_returns(chunk: list[PlannedMove], now: dt.datetime) -> int:
    from guanxi.customers.models import Customer, PoolMove

    by_pk = {p.customer.pk: p for p in chunk}
    with transaction.atomic():
        # Only rows still owned by the owner the plan saw: a claim or transfer since wins.
        rows = [
            row
            for row in ownership_rows(Customer.objects.select_for_update().filter(pk__in=list(by_pk)))
            if row["owner_id"] is not None and row["owner_id"] == by_pk[row["pk"]].customer.owner_id
        ]
        groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            planned = by_pk[row["pk"]]
            groups[(planned.pool.pk, planned.rule.pk)].append(row)
        for group in groups.values():  # one UPDATE per (pool, rule)
            planned = by_pk[group[0]["pk"]]
            into_pool(
                group,
                pool=planned.pool,
                actor=None,
                now=now,
                action=PoolMove.Action.RETURNED,
                params_for=lambda r: by_pk[r["pk"]].params(),
                rule=planned.rule,
            )
        _notify_planned(rows, by_pk, now, returned=True)
    return len(rows)


def _apply_warnings(chunk: list[PlannedMove], now: dt.datetime) -> None:
    from guanxi.customers.models import Customer, PoolMove

    with transaction.atomic():
        pks = [p.customer.pk for p in chunk]
        Customer.objects.filter(pk__in=pks).update(pool_warned_at=now)
        PoolMove.objects.bulk_create(
            PoolMove(
                customer_id=p.customer.pk,
                pool=p.pool,
                action=PoolMove.Action.WARNED,
                rule=p.rule,
                from_user_id=p.customer.owner_id,
                params=p.params(),
                time=now,
            )
            for p in chunk
        )
        rows = [
            {"pk": p.customer.pk, "owner_id": p.customer.owner_id, "name": p.customer.name} for p in chunk
        ]
        _notify_planned(rows, {p.customer.pk: p for p in chunk}, now, returned=False)


def _notify_planned(
    rows: list[dict[str, Any]], by_pk: dict[int, PlannedMove], now: dt.datetime, *, returned: bool
) -> None:
    """One notification per owner listing their customers and each one's reason."""
    from guanxi.users.models import User

    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_owner[row["owner_id"]].append(row)
    for owner in User.objects.filter(pk__in=list(by_owner)):
        mine = by_owner[owner.pk]

        def title(mine: list[dict[str, Any]] = mine) -> str:
            if returned:
                return ngettext(
                    "%(count)d customer returned to the pool",
                    "%(count)d customers returned to the pool",
                    len(mine),
                ) % {"count": len(mine)}
            return ngettext(
                "%(count)d customer will return to the pool soon",
                "%(count)d customers will return to the pool soon",
                len(mine),
            ) % {"count": len(mine)}

        def body(mine: list[dict[str, Any]] = mine) -> str:
            return "\n".join(f"{row['name']}: {by_pk[row['pk']].reason(now)}" for row in mine[:20])

        notify_after_commit(
            owner,
            title,
            body_fn=body,
            url="/customers/pools/" if returned else "/",
            level="info" if returned else "warning",
        )
