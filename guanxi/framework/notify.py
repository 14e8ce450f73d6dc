"""In-app notifications: the bell in the top bar and the notifications page.

``notify`` writes one ``core.Notification`` for one user; ``notify_many`` writes the same message
for many users in one ``bulk_create``. Notifications are not change-logged (they are messages,
not business data), so neither needs an actor context; ``actor`` records who caused it, if anyone.

A title or body may be a message (``guanxi.framework.i18n.deferred``): it is stored as its id and
parameters and translated for the reader each time it is shown (the recipient may switch
language later), with the text as rendered in the recipient's language kept beside it. A plain
string is stored as it is: render it in the recipient's language (``in_language_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.conf import settings
from django.utils import timezone, translation

LEVELS = ("info", "success", "warning", "error")


def _build(recipient: Any, title: Any, body: Any, url: str, level: str, actor: Any) -> Any:
    from guanxi.core.models import Notification
    from guanxi.framework.i18n import render_message

    if level not in LEVELS:
        raise ValueError(f"Unknown notification level {level!r}; use one of {', '.join(LEVELS)}.")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None

    def max_length(name: str) -> int:
        return cast(Any, Notification._meta.get_field(name)).max_length

    message = {key: value for key, value in (("title", title), ("body", body)) if _is_message(value)}
    if message:
        with in_language_of(recipient):
            title, body = (render_message(v) if _is_message(v) else v for v in (title, body))
    return Notification(
        recipient=recipient,
        actor=actor,
        level=level,
        title=str(title)[: max_length("title")],
        body=str(body),
        url=str(url)[: max_length("url")],
        message=message or None,
    )


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and "msgid" in value


def notify(
    recipient: Any, title: Any, *, body: Any = "", url: str = "", level: str = "info", actor: Any = None
) -> Any:
    """Send ``recipient`` an in-app notification; returns the saved ``Notification``.

    >>> notify(rep, deferred(_("Customer assigned to you")), url=customer.get_absolute_url(), actor=manager)
    """
    notification = _build(recipient, title, body, url, level, actor)
    notification.save()
    return notification


def notify_many(
    users: Iterable[Any], title: Any, *, body: Any = "", url: str = "", level: str = "info", actor: Any = None
) -> list[Any]:
    """The same notification for each of ``users`` (duplicates and ``None`` skipped), one INSERT."""
    from guanxi.core.models import Notification

    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(_build(user, title, body, url, level, actor))
    return Notification.objects.bulk_create(rows)


def mark_read(recipient: Any, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``recipient`` read; returns the count."""
    from guanxi.core.models import Notification

    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Render translatable strings in ``user``'s saved language and dates in their time zone
    (default: the site's)."""
    import zoneinfo

    language = (getattr(user, "language", "") if user is not None else "") or settings.LANGUAGE_CODE
    try:
        zone = zoneinfo.ZoneInfo(
            (getattr(user, "time_zone", "") if user is not None else "") or settings.TIME_ZONE
        )
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(language), timezone.override(zone):
        yield
