"""Use cases of follow-ups and tasks: log a follow-up, create/update/complete/reopen a task, and
send due reminders. Views, the API and the scheduler call these; nothing here trusts its caller
to have checked permissions.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.models.task import REMIND_BEFORE, default_remind_at
from guanxi.activities.registry import followable
from guanxi.framework.access import can
from guanxi.framework.events import emit
from guanxi.framework.i18n import deferred, render_message
from guanxi.framework.notify import in_language_of, notify
from guanxi.framework.statemachine import transition
from guanxi.framework.write import save_object

logger = logging.getLogger(__name__)

# Backends that do not deliver mail: with them, reminders stay in-app only.
NON_DELIVERING_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
UNSET: Any = object()


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def email_configured() -> bool:
    """Is a mail server configured (``EMAIL_HOST``; the locmem backend in tests counts)?"""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    return bool(backend) and backend not in NON_DELIVERING_BACKENDS


# -- follow-ups ------------------------------------------------------------------------------------


def _check_target(actor: Any, target: Any) -> None:
    if target is None or followable(target) is None or target.pk is None:
        raise ValidationError({"target": _("Follow-ups can only be logged on customers, contacts or leads.")})
    if not can(actor, "view", target):
        raise _deny()


def _resolve_customer(target: Any, customer: Any) -> Any:
    """The customer a follow-up on ``target`` concerns: the one chosen (it must belong to the
    record) or the registry's answer."""
    entry = followable(target)
    assert entry is not None
    if customer is None:
        return entry.customer_of(target)
    if customer.pk not in {c.pk for c in entry.customers_of(target)}:
        raise ValidationError({"customer": _("This customer is not linked to the record.")})
    return customer


def bump_last_contacted(obj: Any, when: datetime.datetime) -> int:
    """Move ``obj.last_contacted_at`` forward to ``when`` (never back), without a history entry.

    A queryset ``update()``: the column is bookkeeping the services keep (pool rules read it),
    and two follow-ups logged at once must not overwrite each other with the older time.
    """
    model = type(obj)
    if obj is None or not any(f.name == "last_contacted_at" for f in model._meta.concrete_fields):
        return 0
    return (
        model._default_manager.filter(pk=obj.pk)
        .filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=when))
        .update(last_contacted_at=when)
    )


def _active_users(users: Iterable[Any]) -> list[Any]:
    from django.contrib.auth import get_user_model

    ids = {getattr(u, "pk", u) for u in users if u is not None}
    if not ids:
        return []
    found = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(ids):
        raise ValidationError({"mentions": _("Only active colleagues can be mentioned.")})
    return found


def log_follow_up(
    *,
    actor: Any,
    target: Any,
    kind: str,
    content: str,
    occurred_at: datetime.datetime | None = None,
    outcome: str = "",
    next_step: str = "",
    place: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    location_accuracy: int | None = None,
    mentions: Iterable[Any] = (),
    next_follow_up_at: datetime.datetime | None = None,
    customer: Any = None,
    custom_field_data: dict[str, Any] | None = None,
) -> FollowUp:
    """Record a call/visit/meeting/… on ``target`` by ``actor``; a visit may carry the check-in
    location (``latitude``/``longitude`` in degrees, WGS 84, ``location_accuracy`` in metres).

    In one transaction: the follow-up (author = owner), the mentions, ``last_contacted_at`` of
    the target and of the concerned customer moved forward, and — with ``next_follow_up_at`` — a
    task for the author due then, titled with the next step ("发送修订版报价单 · 飞海科技", else
    "跟进 <target>"), with a reminder. After commit, mentioned
    colleagues who may view the target are notified in their own language.
    Raises ``PermissionDenied`` (no ``add`` on follow-ups, target not visible) or
    ``ValidationError`` with field messages; nothing is saved then.
    """
    if not can(actor, "add", FollowUp):
        raise _deny()
    _check_target(actor, target)
    mentioned = _active_users(mentions)
    with transaction.atomic():
        follow_up = FollowUp(
            kind=kind,
            content=content or "",
            occurred_at=occurred_at or timezone.now(),
            outcome=outcome or "",
            next_step=next_step or "",
            place=place or "",
            latitude=latitude,
            longitude=longitude,
            location_accuracy=location_accuracy,
            next_follow_up_at=next_follow_up_at,
            target_type=ContentType.objects.get_for_model(type(target)),
            target_id=target.pk,
            customer=_resolve_customer(target, customer),
            owner=actor,
            custom_field_data=custom_field_data or {},
        )
        save_object(follow_up, actor=actor, validate=True, check_visible=False)
        if mentioned:
            follow_up.mentions.set(mentioned)
        bump_last_contacted(target, follow_up.occurred_at)
        entry = followable(target)
        if entry is not None and entry.on_logged is not None:
            entry.on_logged(target, follow_up)
        if follow_up.customer is not None and follow_up.customer != target:
            bump_last_contacted(follow_up.customer, follow_up.occurred_at)
        if next_follow_up_at is not None:
            # The author's saved language, else the one they are using right now.
            # The next step is the task ("发送修订版报价单 · 飞海科技"); without one, "跟进 飞海科技".
            step = " ".join((follow_up.next_step or "").split())
            if step:
                title = f"{step} · {target}"
            else:
                with in_language_of(actor) if getattr(actor, "language", "") else nullcontext():
                    title = _("Follow up %(name)s") % {"name": target}
            task = Task(
                title=Truncator(title).chars(200),
                description=follow_up.next_step,
                due_at=next_follow_up_at,
                remind_at=default_remind_at(next_follow_up_at),
                target_type=follow_up.target_type,
                target_id=target.pk,
                customer=follow_up.customer,
                follow_up=follow_up,
                owner=actor,
            )
            save_object(task, actor=actor, validate=True, check_visible=False)
        recipients = [u.pk for u in mentioned if u.pk != actor.pk and can(u, "view", target)]
        if recipients:
            transaction.on_commit(lambda: _notify_mentions(follow_up.pk, recipients))
    return follow_up


def move_to_customer(*, actor: Any, target: Any, customer: Any) -> int:
    """Point the follow-ups and tasks logged on ``target`` at ``customer`` (a lead converted into a
    customer): they then show on the customer's timeline. Returns how many rows moved.

    The ``customer`` column is denormalised bookkeeping, so this is a queryset update without
    history entries; the customer's ``last_contacted_at`` takes the newest follow-up's time.
    """
    if not can(actor, "view", target) or not can(actor, "change", customer):
        raise _deny()
    return carry_over_to_customer(target=target, customer=customer)


def carry_over_to_customer(*, target: Any, customer: Any) -> int:
    """``move_to_customer`` without its permission check, for a use case that already made it (a
    lead's conversion, which the demo also runs as the system)."""
    target_type = ContentType.objects.get_for_model(type(target))
    mine = {"target_type": target_type, "target_id": target.pk}
    with transaction.atomic():
        moved = FollowUp.objects.filter(**mine).update(customer=customer)
        moved += Task.objects.filter(**mine).update(customer=customer)
        latest = (
            FollowUp.objects.filter(**mine)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        if latest is not None:
            bump_last_contacted(customer, latest)
    return moved


def _notify_mentions(follow_up_id: int, recipient_ids: list[int]) -> None:
    """One notification per mentioned colleague, in each one's language."""
    from django.contrib.auth import get_user_model

    follow_up = FollowUp.objects.select_related("owner", "target_type").get(pk=follow_up_id)
    target = follow_up.target
    url = target.get_absolute_url() if target is not None else ""
    # a message, translated when read: the colleague reads it in the language they use then
    title = deferred(
        gettext_noop("%(author)s mentioned you in a follow-up on %(record)s"),
        author=follow_up.owner,
        record=target,
    )
    for user in get_user_model().objects.filter(pk__in=recipient_ids):
        notify(user, title, body=Truncator(follow_up.content).chars(300), url=url, actor=follow_up.owner)


# -- tasks -----------------------------------------------------------------------------------------


def create_task(
    *,
    actor: Any,
    title: str,
    due_at: datetime.datetime | None = None,
    priority: str = "normal",
    description: str = "",
    target: Any = None,
    customer: Any = None,
    assignee: Any = None,
    remind_at: Any = UNSET,
    custom_field_data: dict[str, Any] | None = None,
) -> Task:
    """A task for ``assignee`` (default: the actor), optionally about a followable ``target``.

    The reminder defaults to ``REMIND_BEFORE`` before the due time. The new task must stay within
    what the actor may see (a rep with the "own" scope cannot hand tasks to colleagues).
    """
    if not can(actor, "add", Task):
        raise _deny()
    if target is not None:
        _check_target(actor, target)
    assignee = assignee or actor
    _active_users([assignee])
    with transaction.atomic():
        task = Task(
            title=(title or "").strip(),
            description=description or "",
            due_at=due_at,
            priority=priority or "normal",
            remind_at=default_remind_at(due_at) if remind_at is UNSET else remind_at,
            owner=assignee,
            custom_field_data=custom_field_data or {},
        )
        if target is not None:
            task.target_type = ContentType.objects.get_for_model(type(target))
            task.target_id = target.pk
            task.customer = _resolve_customer(target, customer)
        save_object(task, actor=actor, validate=True)  # refused when it would leave the actor's sight
        if assignee.pk != actor.pk:
            # The assignee is told by the event's subscriber (guanxi.activities.events).
            emit("task.assigned", task, assignee=assignee.pk)
    return task


def _task_for_change(actor: Any, task: Task) -> Task:
    """The task re-read through the actor's "change" scope (PermissionDenied outside it)."""
    found = Task.objects.restrict(actor, "change").filter(pk=task.pk).first()
    if found is None:
        raise _deny()
    return found


def update_task(*, actor: Any, task: Task, **changes: Any) -> Task:
    """Change title, description, due time, priority, reminder or assignee (``owner``).

    A new due time re-arms the reminder (``Task.before_write``, whatever the write path).
    """
    allowed = {"title", "description", "due_at", "priority", "remind_at", "owner"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    task = _task_for_change(actor, task)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(task, name, value)
        save_object(task, actor=actor, validate=True)  # the changed fields only; visibility kept
    return task


def complete_task(*, actor: Any, task: Task, now: datetime.datetime | None = None) -> Task:
    """Mark a task done: its ``complete`` transition (idempotent: a done task keeps its first
    ``done_at``)."""
    task = _task_for_change(actor, task)
    if task.status == TaskStatus.DONE:
        return task
    transition(task, "complete", actor=actor, done_at=now)
    return task


def reopen_task(*, actor: Any, task: Task) -> Task:
    """Mark a done task open again: its ``reopen`` transition (idempotent)."""
    task = _task_for_change(actor, task)
    if task.status == TaskStatus.OPEN:
        return task
    transition(task, "reopen", actor=actor)
    return task


def complete_tasks(*, actor: Any, tasks: models.QuerySet[Task] | Iterable[Task]) -> int:
    """Mark several tasks done, all or none (each must be inside the actor's "change" scope)."""
    tasks = list(tasks)
    changeable = set(
        Task.objects.restrict(actor, "change")
        .filter(pk__in=[t.pk for t in tasks])
        .values_list("pk", flat=True)
    )
    if len(changeable) != len({t.pk for t in tasks}):
        raise _deny()
    done = 0
    with transaction.atomic():
        for task in tasks:
            if task.status != TaskStatus.DONE:
                complete_task(actor=actor, task=task)
                done += 1
    return done


# -- reminders -------------------------------------------------------------------------------------

REMINDER_BATCH = 500


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Remind the assignees of open tasks whose ``remind_at`` has come; returns how many.

    Idempotent: each task is claimed with a conditional UPDATE of ``reminded_at`` before its
    notification is written, so two runs (or two workers) never remind twice. An in-app
    notification always; an email too when a mail server is configured and the user has an
    address. Runs in bounded batches so a backlog cannot hold one huge transaction.
    """
    now = now or timezone.now()
    due = Task.objects.filter(
        status=TaskStatus.OPEN, reminded_at__isnull=True, remind_at__isnull=False, remind_at__lte=now
    )
    sent = 0
    mail = email_configured()
    while True:
        batch = list(due.select_related("owner").order_by("remind_at", "pk")[:REMINDER_BATCH])
        if not batch:
            return sent
        for task in batch:
            with transaction.atomic():
                claimed = Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now)
                if not claimed or task.owner is None or not task.owner.is_active:
                    continue
                _remind(task, mail)
                sent += 1


def _remind(task: Task, mail: bool) -> None:
    from django.core.mail import send_mail

    user = task.owner
    assert user is not None  # send_due_reminders skips tasks without an assignee
    tz = getattr(user, "time_zone", "") or settings.TIME_ZONE
    if task.due_at:  # the due time reads in the reader's time zone and date format
        message = deferred(
            gettext_noop("Reminder: %(title)s (due %(due)s)"), title=task.title, due=task.due_at
        )
    else:
        message = deferred(gettext_noop("Reminder: %(title)s"), title=task.title)
    # the e-mail's words (the notification is translated again whenever it is read)
    with in_language_of(user), timezone.override(_zone(tz)):
        title = render_message(message)
    body = task.description
    url = task.get_absolute_url()
    notify(user, message, body=body, url=url, level="warning")
    if mail and user.email:
        text = f"{title}\n\n{body}\n\n{url}".strip()
        # on_commit: the mail goes out only once the claim is durable; a mail failure is logged,
        # the in-app notification stands.
        address = user.email
        transaction.on_commit(lambda: _send(send_mail, title, text, address))


def _send(send_mail: Any, subject: str, message: str, address: str) -> None:
    try:
        send_mail(subject, message, None, [address])
    except Exception:
        logger.exception("Could not email a task reminder to %s", address)


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


__all__ = [
    "REMIND_BEFORE",
    "bump_last_contacted",
    "complete_task",
    "complete_tasks",
    "create_task",
    "default_remind_at",
    "log_follow_up",
    "move_to_customer",
    "reopen_task",
    "send_due_reminders",
    "update_task",
]


def subject_from_customer(follow_up: FollowUp) -> None:
    """An imported follow-up is logged on the customer its row names (its timeline shows it): the
    follow-up's ``ImportSpec.prepare``."""
    from guanxi.customers.models import Customer

    if follow_up.customer_id and not follow_up.target_id:
        follow_up.target_type = ContentType.objects.get_for_model(Customer)
        follow_up.target_id = follow_up.customer_id
