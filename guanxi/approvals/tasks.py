"""Scheduled work of the approval engine: reminders and escalation of overdue steps."""

from __future__ import annotations

from datetime import timedelta

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic


@periodic("approval_deadlines", every=timedelta(minutes=5))
def approval_deadlines() -> dict:
    """Remind and escalate what has come due (idempotent: see ``process_deadlines``)."""
    from guanxi.approvals.services import process_deadlines

    with actor_context(None, source=Source.TASK):
        return process_deadlines()
