"""Delivering events to the subscribers registered in code, at least once.

::

    @subscribe("activities.task", kinds=["created"])
    def tell_the_assignee(event: Event) -> None: ...

Subscribers live in each app's ``events`` module (imported by ``discover()``, like schedules in
``tasks``). A subscriber gets the ``core.Event``; it reads ``event.payload`` through
``payloads.for_reader(recipient, …)`` before showing it to anyone.

The dispatcher (``dispatch_pending``, run by ``guanxi worker`` every few seconds):

1. *claims* up to ``batch`` due events with one conditional UPDATE — status ``pending`` and due,
   or ``delivering`` with a lease older than ``EVENT_LEASE_SECONDS`` (its worker died) — setting
   ``delivering``, ``claimed_by`` and ``claimed_at``; of two workers racing, the database lets
   each row match only one UPDATE, and each worker then reads back the rows stamped with its own
   claim, so no claim is delivered twice;
2. calls each subscriber that has not handled the event yet, *in one transaction with* the
   ``core.EventDelivery`` row that records it: a subscriber's database work and its "done" mark
   commit together, so a retry skips it (idempotent) and a crash redoes it (at least once);
3. marks the event ``done``, or — when a subscriber raised — back to ``pending`` with a backoff,
   ``failed`` after ``MAX_ATTEMPTS``.

A worker killed (``kill -9``) after committing data but before delivery loses nothing: the event
committed with the data, its claim expires, another pass delivers it. Subscribers with effects
outside the database (webhooks) may see an event twice and must be idempotent themselves (the
event id is the idempotency key).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: seconds before retry n (1-based); the last value repeats
BACKOFF = (10, 30, 120, 600, 1800, 3600)


@dataclass(frozen=True)
class Subscriber:
    """A function called with each event of ``entity`` (``app_label.model``, or ``*``) whose kind is
    in ``kinds`` (all kinds when None)."""

    name: str
    func: Callable[[Any], Any]
    entity: str
    kinds: frozenset[str] | None

    def wants(self, entity: str, kind: str) -> bool:
        return self.entity in ("*", entity) and (self.kinds is None or kind in self.kinds)


SUBSCRIBERS: dict[str, Subscriber] = {}


def subscribe(
    entity: str, *, kinds: Iterable[str] | None = None, name: str | None = None
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register a subscriber; ``name`` (default: the function's dotted path) is what
    ``EventDelivery`` records, so renaming a subscriber makes it see old events again."""

    def decorate(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        key = name or f"{func.__module__}.{func.__qualname__}"
        SUBSCRIBERS[key] = Subscriber(
            name=key,
            func=func,
            entity=entity.lower(),
            kinds=frozenset(kinds) if kinds is not None else None,
        )
        return func

    return decorate


_discovered = False


def discover() -> dict[str, Subscriber]:
    """Import every installed app's ``events`` module so their subscribers register."""
    global _discovered
    if not _discovered:
        autodiscover_modules("events")
        _discovered = True
    return SUBSCRIBERS


def subscribers_for(event: Any) -> list[Subscriber]:
    label = f"{event.entity_type.app_label}.{event.entity_type.model}"
    return [s for s in discover().values() if s.wants(label, event.kind)]


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EVENT_LEASE_SECONDS)


def claimable(now: dt.datetime) -> Q:
    """Due pending events, and events whose claim outlived its lease (the worker died)."""
    from guanxi.core.models import Event

    return Q(status=Event.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Event.Status.DELIVERING, claimed_at__lt=now - lease()
    )


def claim(worker: str, batch: int = 100, now: dt.datetime | None = None) -> list[int]:
    """Claim up to ``batch`` events for ``worker``; returns their ids (oldest first)."""
    from guanxi.core.models import Event

    now = now or timezone.now()
    candidates = list(
        Event.objects.filter(claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:batch]
    )
    if not candidates:
        return []
    # The condition is repeated in the UPDATE: a row another worker claimed since the SELECT no
    # longer matches it (PostgreSQL re-checks it after waiting for the other's row lock).
    Event.objects.filter(claimable(now), pk__in=candidates).update(
        status=Event.Status.DELIVERING, claimed_by=worker, claimed_at=now, attempts=F("attempts") + 1
    )
    return sorted(
        Event.objects.filter(
            pk__in=candidates, status=Event.Status.DELIVERING, claimed_by=worker, claimed_at=now
        ).values_list("pk", flat=True)
    )


def _deliver_one(event: Any, subscriber: Subscriber) -> None:
    """Run one subscriber and record it, in one transaction."""
    from guanxi.core.models import EventDelivery

    try:
        with transaction.atomic():
            subscriber.func(event)
            EventDelivery.objects.create(event=event, subscriber=subscriber.name)
    except IntegrityError:
        # Another worker (whose lease we took over) delivered it first: its delivery stands.
        if not EventDelivery.objects.filter(event=event, subscriber=subscriber.name).exists():
            raise


def deliver(event: Any, worker: str) -> bool:
    """Hand one claimed event to its subscribers; returns whether every one succeeded."""
    from guanxi.core.models import Event

    done = set(event.deliveries.values_list("subscriber", flat=True))
    errors = []
    for subscriber in subscribers_for(event):
        if subscriber.name in done:
            continue
        try:
            _deliver_one(event, subscriber)
        except Exception:
            logger.exception("Subscriber %s failed on event %s", subscriber.name, event.pk)
            errors.append(f"{subscriber.name}: {traceback.format_exc(limit=5)}")
    now = timezone.now()
    mine = Event.objects.filter(pk=event.pk, claimed_by=worker, claimed_at=event.claimed_at)
    if not errors:
        mine.update(status=Event.Status.DONE, delivered_at=now, last_error="")
        return True
    if event.attempts >= MAX_ATTEMPTS:
        mine.update(status=Event.Status.FAILED, last_error="\n".join(errors)[:10000])
    else:
        delay = BACKOFF[min(event.attempts, len(BACKOFF)) - 1]
        mine.update(
            status=Event.Status.PENDING,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            last_error="\n".join(errors)[:10000],
        )
    return False


def dispatch_pending(worker: str, batch: int = 100) -> int:
    """Claim one batch and deliver it; returns the number of events claimed."""
    from guanxi.core.models import Event

    ids = claim(worker, batch)
    if not ids:
        return 0
    events = list(Event.objects.filter(pk__in=ids).select_related("entity_type").order_by("id"))
    quiet = [e.pk for e in events if not subscribers_for(e)]
    if quiet:  # most events have no subscriber: one UPDATE marks them all delivered
        Event.objects.filter(pk__in=quiet, claimed_by=worker).update(
            status=Event.Status.DONE, delivered_at=timezone.now()
        )
    for event in events:
        if event.pk not in quiet:
            deliver(event, worker)
    return len(ids)


def drain(worker: str, batch: int = 100, max_batches: int = 100) -> int:
    """Dispatch batches until none is due (or ``max_batches``); returns the events claimed."""
    total = 0
    for _ in range(max_batches):
        claimed = dispatch_pending(worker, batch)
        total += claimed
        if claimed < batch:
            break
    return total
