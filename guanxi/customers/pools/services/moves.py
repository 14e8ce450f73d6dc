"""Low-level writes shared by the pool services and the demo: a customer's ownership columns
changed in bulk, with one ObjectChange and one PoolMove per customer, and notifications sent after
commit in each recipient's language. Callers hold the transaction and have checked permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from guanxi.framework.changes import Action, change_row, normalize, write_changes
from guanxi.framework.notify import in_language_of, notify

# What a move's change-log entry compares (pool_entered_at is the move's own time: not repeated).
OWNERSHIP_FIELDS = ("owner", "pool", "previous_owner", "department")
FK_FIELDS = ("owner", "pool", "previous_owner", "department")


# -- change log and history, written in bulk ---------------------------------------------------


def log_ownership(rows: Sequence[dict[str, Any]], after: dict[str, Any], moves: list[Any]) -> None:
    """One ObjectChange per customer (before → after of the ownership columns) and its PoolMove."""
    from guanxi.customers.models import Customer, PoolMove

    changes = []
    for row in rows:
        before = {
            name: normalize(row[f"{name}_id" if name in FK_FIELDS else name]) for name in OWNERSHIP_FIELDS
        }
        new = {name: normalize(value) for name, value in after.items()}
        if after.get("previous_owner") == "<owner>":
            new["previous_owner"] = before["owner"]
        old = {k: before[k] for k in new if before.get(k) != new[k]}
        changes.append(
            change_row(Customer, row["pk"], str(row["name"]), Action.UPDATE, old, {k: new[k] for k in old})
        )
    write_changes(changes)
    PoolMove.objects.bulk_create(moves)


def ownership_rows(qs: Any) -> list[dict[str, Any]]:
    return list(
        qs.values(
            "pk", "name", "owner_id", "pool_id", "pool_entered_at", "previous_owner_id", "department_id"
        )
    )


def notify_after_commit(
    recipient: Any,
    title_fn: Any,
    *,
    url: str = "",
    body_fn: Any = None,
    actor: Any = None,
    level: str = "info",
) -> None:
    """Notify ``recipient`` once the transaction commits, rendering the text in their language."""
    if recipient is None:
        return

    def send() -> None:
        with in_language_of(recipient):
            notify(
                recipient, title_fn(), body=body_fn() if body_fn else "", url=url, level=level, actor=actor
            )

    transaction.on_commit(send)


def into_pool(
    rows: list[dict[str, Any]],
    *,
    pool: Any,
    actor: Any,
    now: dt.datetime,
    action: str,
    params_for: Any,
    rule: Any = None,
) -> None:
    """Return ``rows`` (still owned) to ``pool``: owner cleared, previous owner kept, moves logged."""
    from guanxi.customers.models import Customer, PoolMove

    if not rows:
        return
    pks = [row["pk"] for row in rows]
    Customer.objects.filter(pk__in=pks).update(
        previous_owner_id=F("owner_id"),
        owner=None,
        owned_since=None,
        pool=pool,
        pool_entered_at=now,
        updated_at=timezone.now(),
        updated_by=actor,
    )
    moves = [
        PoolMove(
            customer_id=row["pk"],
            pool=pool,
            action=action,
            from_user_id=row["owner_id"],
            rule=rule,
            actor=actor,
            params=params_for(row),
            time=now,
        )
        for row in rows
    ]
    log_ownership(rows, {"owner": None, "pool": pool.pk, "previous_owner": "<owner>"}, moves)
