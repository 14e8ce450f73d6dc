"""Scheduled work of the activities app: task reminders every minute."""

from __future__ import annotations

from datetime import timedelta

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic


@periodic("task_reminders", every=timedelta(minutes=1))
def task_reminders() -> int:
    """Send the reminders that have come due (idempotent: see ``send_due_reminders``)."""
    from guanxi.activities.services import send_due_reminders

    with actor_context(None, source=Source.TASK):
        return send_due_reminders()
