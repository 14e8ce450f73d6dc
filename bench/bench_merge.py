"""Merging customers: what the engine costs over moving the rows by hand.

One duplicate customer with N follow-ups, N tasks and N contact links (3 N related rows) is merged
into another by ``guanxi.framework.merging.merge`` (relations discovered from the models, one
``UPDATE`` per relation, one change-log entry and event per moved row, buffered; the duplicate into
the recycle bin; the survivor saved and a ``customer.merged`` event) against the minimum that gives
the same rows: one ``QuerySet.update`` per relation, known in advance, and the duplicate deleted
through the write path — no history of the moves, no discovery, no checks.

Before timing, both sides are run once and must leave the same rows: every follow-up, task and
link on the survivor, the duplicate gone; the merge's change log must hold one entry per moved row
(N follow-ups + N tasks + N links). The two sides alternate (merge, by hand, merge, …).
"""

from __future__ import annotations

import statistics
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from bench.common import Result, pick
from guanxi.activities.models import FollowUp, Task
from guanxi.core.models import Event, ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework import merging
from guanxi.framework.context import Source, actor_context
from guanxi.framework.write import bulk_create_objects, delete_object
from guanxi.recyclebin.models import RecycleBinEntry

EPILOGUE = """
The engine's extra cost is the history: one change-log row and one event per moved row (written in
buffered batches), the recycle-bin snapshot of the duplicate and the survivor's validated save.
Its query count does not grow with the number of related rows (pinned in
`guanxi/customers/tests/test_merge.py`).
"""


def _owner() -> object:
    from guanxi.users.models import Department, User

    with actor_context(None, source=Source.COMMAND):
        dept = Department.objects.create(name="合并测试部")
        user, _ = User.objects.get_or_create(
            username="bench-merge", defaults={"name": "合并", "department": dept, "is_superuser": True}
        )
    return user


def _pair(owner: object, n: int, seed: int) -> tuple[Customer, Customer]:
    with actor_context(owner, source=Source.COMMAND), transaction.atomic():
        keep = Customer.objects.create(name=f"合并基准{seed}", phone=f"+86139{seed:08d}")
        dup = Customer.objects.create(name=f"合并基准重复{seed}", email=f"dup{seed}@example.com")
        contacts = bulk_create_objects(
            Contact, [Contact(name=f"联系人{seed}-{i}") for i in range(n)], actor=owner
        )
        CustomerContact.objects.bulk_create([CustomerContact(customer=dup, contact=c) for c in contacts])
        ct = ContentType.objects.get_for_model(Customer)
        common = {"target_type": ct, "target_id": dup.pk, "customer": dup, "owner_id": owner.pk}  # type: ignore[attr-defined]
        FollowUp.objects.bulk_create([FollowUp(content=f"拜访{i}", **common) for i in range(n)])
        Task.objects.bulk_create([Task(title=f"待办{i}", **common) for i in range(n)])
    return keep, dup


def _by_hand(owner: object, keep: Customer, dup: Customer) -> None:
    ct = ContentType.objects.get_for_model(Customer)
    with actor_context(owner, source=Source.COMMAND), transaction.atomic():
        for model in (FollowUp, Task):
            model.objects.filter(customer=dup).update(customer=keep)
            model.objects.filter(target_type=ct, target_id=dup.pk).update(target_id=keep.pk)
        CustomerContact.objects.filter(customer=dup).update(customer=keep)
        delete_object(dup, actor=owner)


def _merge(owner: object, keep: Customer, dup: Customer) -> None:
    with actor_context(owner, source=Source.COMMAND):
        merging.merge(keep, [dup], actor=owner)


def _same_rows(keep: Customer, dup_pk: int, n: int) -> None:
    ct = ContentType.objects.get_for_model(Customer)
    counts = (
        FollowUp.objects.filter(customer=keep, target_type=ct, target_id=keep.pk).count(),
        Task.objects.filter(customer=keep, target_type=ct, target_id=keep.pk).count(),
        CustomerContact.objects.filter(customer=keep).count(),
    )
    if counts != (n, n, n) or Customer.objects.filter(pk=dup_pk).exists():
        raise AssertionError(f"the rows did not all move (follow-ups, tasks, links): {counts}")


def _cleanup() -> None:
    with actor_context(None, source=Source.COMMAND):
        RecycleBinEntry.objects.all().delete()
        FollowUp.objects.all().delete()
        Task.objects.all().delete()
        CustomerContact.objects.all().delete()
        Contact.objects.all().delete()
        Customer.objects.all().delete()
        ObjectChange.objects.all().delete()
        Event.objects.all().delete()


def _check(owner: object, n: int) -> None:
    for side in (_by_hand, _merge):
        keep, dup = _pair(owner, n, 0)
        dup_pk = dup.pk
        side(owner, keep, dup)
        _same_rows(keep, dup_pk, n)
        if side is _merge:
            moved = ObjectChange.objects.filter(
                action="update",
                changed_object_type__in=[
                    ContentType.objects.get_for_model(m) for m in (FollowUp, Task, CustomerContact)
                ],
            ).count()
            if moved != 3 * n:
                raise AssertionError(f"{moved} change-log entries for {3 * n} moved rows")
        _cleanup()


def run(scale: str) -> list[Result]:
    n = pick(scale, 300, 3000)
    repeat = pick(scale, 3, 5)
    owner = _owner()
    _cleanup()
    _check(owner, n)
    times: dict[str, list[float]] = {"merge": [], "hand": []}
    for i in range(repeat + 1):
        for side, fn in (("merge", _merge), ("hand", _by_hand)):
            keep, dup = _pair(owner, n, i + 1)
            started = time.perf_counter()
            fn(owner, keep, dup)
            elapsed = (time.perf_counter() - started) * 1000
            _cleanup()
            if i:  # the first round warms up
                times[side].append(elapsed)
    merged, by_hand = statistics.median(times["merge"]), statistics.median(times["hand"])
    rows = 3 * n
    return [
        Result(
            name=f"merge a customer with {n:,} follow-ups, {n:,} tasks and {n:,} contact links",
            baseline="QuerySet.update per relation + delete (no history)",
            median_ms=merged,
            baseline_median_ms=by_hand,
            rows=rows,
            notes=f"{rows / merged * 1000:,.0f} rows/s (by hand {rows / by_hand * 1000:,.0f} rows/s)",
        )
    ]
