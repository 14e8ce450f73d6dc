"""A record's timeline: entries from every registered source, newest first, cursor-paginated.

Sources are functions ``source(obj, user, before, limit) -> list[TimelineEntry]`` returning at
most ``limit`` entries older than ``before`` (a datetime, or None for the newest). A source
for one entity type is declared with it (``EntityType(timeline=(source,))``); a source for
records of any type (the change log, follow-ups on every followable record) registers with
``@register_timeline_source``. Merging takes the newest ``limit`` of all sources' answers, so a page
costs one bounded query per source however long the history is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

TimelineSource = Callable[[Any, Any, "datetime.datetime | None", int], list["TimelineEntry"]]
_SOURCES: list[TimelineSource] = []


@dataclass
class TimelineEntry:
    time: datetime.datetime
    kind: str
    icon: str
    title: str
    actor: Any = None
    body: str = ""
    url: str = ""
    changes: list[Any] = field(default_factory=list)
    # A place on a map (a visit's check-in): anything with latitude, longitude,
    # location_accuracy and map_url.
    location: Any = None


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    _SOURCES.append(source)
    return source


def changes_for(obj: Any) -> Any:
    """ObjectChange rows of ``obj`` and of its children (rows whose changelog_parent is ``obj``)."""
    from guanxi.core.models import ObjectChange

    ct = ContentType.objects.get_for_model(type(obj))
    return ObjectChange.objects.filter(
        Q(changed_object_type=ct, changed_object_id=obj.pk)
        | Q(related_object_type=ct, related_object_id=obj.pk)
    ).select_related("user", "changed_object_type")


@register_timeline_source
def change_log_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    from guanxi.framework.history import describe_changes, label_changes

    rows = changes_for(obj)
    if before is not None:
        rows = rows.filter(time__lt=before)
    page = label_changes(user, list(rows.order_by("-time", "-id")[:limit]))
    described = describe_changes(page, user)
    icons = {"create": "circle-plus", "update": "pencil", "delete": "trash"}
    entries = []
    for change in page:
        own = (
            change.changed_object_type_id == ContentType.objects.get_for_model(type(obj)).pk
            and change.changed_object_id == obj.pk
        )
        title = (
            change.get_action_display() if own else f"{change.get_action_display()}: {change.reader_label}"
        )
        entries.append(
            TimelineEntry(
                time=change.time,
                kind="change",
                icon=icons.get(change.action, "pencil"),
                title=str(title),
                actor=change.user,
                changes=described.get(change.pk, []),
            )
        )
    return entries


def timeline(
    obj: Any, user: Any, *, before: datetime.datetime | None = None, limit: int = 20
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """One page of entries, and the cursor for the next page (None at the end).

    The next page asks every source for entries strictly older than the cursor, so entries that
    share the boundary moment (one service stamping several rows with the same ``now``) all stay
    on this page, which may then run a few entries past ``limit``; cutting inside such a group
    would skip the rest of it for good.
    """
    from guanxi.framework.entities import entity_for

    entity = entity_for(obj)
    own = entity.timeline if entity is not None else ()
    entries: list[TimelineEntry] = []
    for source in [*_SOURCES, *own]:
        entries.extend(source(obj, user, before, limit + 1))
    entries.sort(key=lambda e: e.time, reverse=True)
    if len(entries) <= limit:
        return entries, None
    boundary = entries[limit - 1].time if limit > 0 else entries[0].time
    end = max(limit, 1)
    while end < len(entries) and entries[end].time == boundary:
        end += 1
    return entries[:end], boundary
