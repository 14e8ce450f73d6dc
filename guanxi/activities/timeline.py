"""Timeline sources: follow-ups and tasks of a record, one bounded indexed query per source.

A customer's timeline reads by the denormalised ``customer`` column, so follow-ups and tasks
logged on its contacts (and later its converted leads) appear too; any other followable record
reads by its generic target. Everyone who may view the record sees its whole timeline (the
timeline view checks the record itself).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.activities.choices import KIND_ICONS
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.registry import followable
from guanxi.framework.timeline import TimelineEntry, register_timeline_source


def _of_record(queryset: QuerySet, obj: Any) -> QuerySet | None:
    from guanxi.customers.models import Customer

    if followable(obj) is None:
        return None
    if isinstance(obj, Customer):
        return queryset.filter(customer_id=obj.pk)
    return queryset.filter(target_type=ContentType.objects.get_for_model(type(obj)), target_id=obj.pk)


def follow_up_entry(follow_up: FollowUp, obj: Any) -> TimelineEntry:
    """ "电话 · 王芳" when logged on another record (a contact of this customer), else the kind and
    outcome; the body holds the content, outcome, next step and place, one per line."""
    kind = follow_up.get_kind_display()
    target = getattr(follow_up, "_other_target", None)
    title = f"{kind} · {target}" if target is not None else str(kind)
    lines = [follow_up.content]
    if follow_up.outcome:
        lines.append(_("Outcome: %(value)s") % {"value": follow_up.get_outcome_display()})
    if follow_up.next_step:
        lines.append(_("Next step: %(value)s") % {"value": follow_up.next_step})
    if follow_up.place:
        lines.append(_("Place: %(value)s") % {"value": follow_up.place})
    mentioned = [str(u) for u in follow_up.mentions.all()]
    if mentioned:
        lines.append(_("Mentioned: %(names)s") % {"names": "、".join(mentioned)})
    return TimelineEntry(
        time=follow_up.occurred_at,
        kind=f"followup followup-{follow_up.kind}",
        icon=KIND_ICONS.get(follow_up.kind, "message"),
        title=title,
        actor=follow_up.owner,
        body="\n".join(lines),
        url=follow_up.get_absolute_url(),
        location=follow_up if follow_up.has_location else None,
    )


@register_timeline_source
def follow_up_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    rows = _of_record(FollowUp.objects.all(), obj)
    if rows is None:
        return []
    if before is not None:
        rows = rows.filter(occurred_at__lt=before)
    page = list(
        rows.select_related("owner").prefetch_related("mentions").order_by("-occurred_at", "-id")[:limit]
    )
    _attach_other_targets(page, obj)
    return [follow_up_entry(f, obj) for f in page]


def _attach_other_targets(page: list[FollowUp], obj: Any) -> None:
    """Load the records follow-ups were logged on when that is not ``obj`` (a customer's contacts):
    one query per record type on the page, none for follow-ups on ``obj`` itself."""
    own_type = ContentType.objects.get_for_model(type(obj)).pk
    wanted: dict[int, set[int]] = {}
    for follow_up in page:
        if not (follow_up.target_type_id == own_type and follow_up.target_id == obj.pk):
            wanted.setdefault(follow_up.target_type_id, set()).add(follow_up.target_id)
    found: dict[tuple[int, int], Any] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            for pk, row in model._default_manager.in_bulk(ids).items():
                found[(type_id, pk)] = row
    for follow_up in page:
        follow_up._other_target = found.get((follow_up.target_type_id, follow_up.target_id))  # type: ignore[attr-defined]


def _task_entries(obj: Any, before: datetime.datetime | None, limit: int, field: str) -> list[TimelineEntry]:
    rows = _of_record(Task.objects.all(), obj)
    if rows is None:
        return []
    rows = rows.filter(**{f"{field}__isnull": False})
    if before is not None:
        rows = rows.filter(**{f"{field}__lt": before})
    page = list(rows.select_related("owner", "created_by").order_by(f"-{field}", "-id")[:limit])
    entries = []
    for task in page:
        if field == "created_at":
            title = _("Task created: %(title)s") % {"title": task.title}
            actor, icon = task.created_by, "checkbox"
            body = _("Assigned to %(name)s") % {"name": task.owner} if task.owner_id else ""
        else:
            title = _("Task done: %(title)s") % {"title": task.title}
            actor, icon, body = task.owner, "square-check", ""
        entries.append(
            TimelineEntry(
                time=getattr(task, field),
                kind="task",
                icon=icon,
                title=title,
                actor=actor,
                body=body,
                url=task.get_absolute_url(),
            )
        )
    return entries


@register_timeline_source
def task_created_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    return _task_entries(obj, before, limit, "created_at")


@register_timeline_source
def task_done_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    return _task_entries(obj, before, limit, "done_at")
