"""The document's timeline: every approval action ("submitted", "approved by 张伟: …")."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType

from guanxi.approvals.declare import APPROVABLE
from guanxi.framework.timeline import TimelineEntry, register_timeline_source

ICONS = {
    "submitted": "send",
    "approved": "circle-check",
    "rejected": "circle-x",
    "withdrawn": "arrow-back-up",
    "skipped": "player-skip-forward",
    "reminded": "bell",
    "escalated": "arrow-big-up-lines",
    "completed": "clipboard-check",
}


@register_timeline_source
def approval_source(obj: Any, user: Any, before: datetime.datetime | None, limit: int) -> list[TimelineEntry]:
    from guanxi.approvals.models import ApprovalAction

    if type(obj) not in APPROVABLE:
        return []
    rows = ApprovalAction.objects.filter(
        request__content_type=ContentType.objects.get_for_model(type(obj)), request__object_id=obj.pk
    )
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    page = rows.select_related("actor", "request", "step").order_by("-created_at", "-pk")[:limit]
    entries = []
    for action in page:
        title = f"{action.get_kind_display()} · {action.request.action_label}"
        if action.step is not None:
            title += f" · {action.step}"
        entries.append(
            TimelineEntry(
                time=action.created_at,
                kind=f"approval approval-{action.kind}",
                icon=ICONS.get(action.kind, "clipboard-check"),
                title=title,
                actor=action.actor,
                body=action.comment,
                url=action.request.get_absolute_url(),
            )
        )
    return entries
