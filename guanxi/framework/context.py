"""Who is acting right now: the actor context every write happens in.

Requests (``RequestContextMiddleware``), API calls, tasks, management commands and the demo
generator each open an ``actor_context``; the change log reads it to stamp every
``ObjectChange`` with actor, request id and source. With ``GUANXI_REQUIRE_ACTOR_CONTEXT`` on (the
test settings) a write outside any context raises ``MissingActorContext``, so untracked writes are
caught in tests instead of silently producing anonymous history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import pgettext_lazy


class MissingActorContext(RuntimeError):
    """A tracked model was written with no actor context open."""


class Source:
    """Where a change came from (stored on ObjectChange.source)."""

    WEB = "web"
    API = "api"
    TASK = "task"
    COMMAND = "command"
    DEMO = "demo"
    SYSTEM = "system"
    TEST = "test"
    RESTORE = "restore"  # put back from the recycle bin (guanxi.recyclebin)

    # Listed for makemessages: the history page translates the stored value at render time
    # with {% translate change.source context "change source" %}.
    LABELS = (
        pgettext_lazy("change source", "web"),
        pgettext_lazy("change source", "api"),
        pgettext_lazy("change source", "task"),
        pgettext_lazy("change source", "command"),
        pgettext_lazy("change source", "demo"),
        pgettext_lazy("change source", "system"),
        pgettext_lazy("change source", "test"),
        pgettext_lazy("change source", "restore"),
    )


@dataclass
class ActorContext:
    """The actor (a user or None for the system), a request id and where the change came from."""

    actor: Any = None
    source: str = Source.SYSTEM
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ip_address: str | None = None


_current: ContextVar[ActorContext | None] = ContextVar("guanxi_actor_context", default=None)


@contextmanager
def actor_context(
    actor: Any = None,
    *,
    source: str = Source.SYSTEM,
    request_id: uuid.UUID | None = None,
    ip_address: str | None = None,
) -> Iterator[ActorContext]:
    """Run a block as ``actor`` (a User, or None for the system itself).

    >>> with actor_context(user, source=Source.COMMAND):
    ...     services.rename_tag(tag, "VIP", actor=user)
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ctx = ActorContext(
        actor=actor, source=source, request_id=request_id or uuid.uuid4(), ip_address=ip_address
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current_context() -> ActorContext | None:
    return _current.get()


def require_context() -> ActorContext:
    """The open context; outside one, fail in tests and fall back to 'system' elsewhere."""
    ctx = _current.get()
    if ctx is not None:
        return ctx
    if settings.GUANXI_REQUIRE_ACTOR_CONTEXT:
        raise MissingActorContext(
            "A tracked model was written outside an actor context. Wrap the write in "
            "guanxi.framework.context.actor_context(...) so the change log knows who did it."
        )
    return ActorContext(source=Source.SYSTEM)


def current_actor() -> Any:
    ctx = _current.get()
    return ctx.actor if ctx else None
