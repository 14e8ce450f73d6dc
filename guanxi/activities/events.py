"""Subscribers of activity events (delivered by the worker's event dispatcher)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from guanxi.activities.models import Task
from guanxi.framework.events.dispatch import subscribe
from guanxi.framework.events.payloads import for_reader


@subscribe("activities.task", kinds=["task.assigned"])
def notify_task_assignee(event: Any) -> None:
    """ "王芳 assigned you a task: …" for the assignee, in the assignee's language.

    Idempotent through the dispatcher: the notification and the delivery record commit together.
    The title comes from the event's payload as the assignee may read it (field rules applied).
    """
    from guanxi.framework.i18n import deferred
    from guanxi.framework.notify import notify
    from guanxi.users.models import User

    assignee = User.objects.filter(pk=event.data.get("assignee"), is_active=True).first()
    if assignee is None:
        return
    payload = for_reader(assignee, Task, event.payload)
    # a message, translated when read (the assignee may switch language before reading it)
    title = deferred(
        gettext_noop("%(actor)s assigned you a task: %(title)s"),
        actor=event.actor or event.actor_name,
        # a title hidden from the assignee is not shown, not even through the record's name
        title=payload.get("title", f"#{event.object_id}"),
    )
    notify(assignee, title, url=Task(pk=event.object_id).get_absolute_url(), actor=event.actor)
