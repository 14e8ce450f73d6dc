"""Context of the 360° page's "Follow-ups and tasks" card (shared by the card and its endpoints)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import reverse

from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.timeline import _of_record
from guanxi.framework.access import can

OPEN_TASKS_SHOWN = 10


def open_tasks_of(obj: Any, limit: int = OPEN_TASKS_SHOWN) -> tuple[list[Task], int]:
    """The record's open tasks, soonest due first (undated last), and how many there are."""
    rows = _of_record(Task.objects.filter(status=TaskStatus.OPEN), obj)
    if rows is None:
        return [], 0
    page = list(rows.select_related("owner").order_by(F("due_at").asc(nulls_last=True), "id")[: limit + 1])
    count = len(page) if len(page) <= limit else rows.count()
    return page[:limit], count


def mark_changeable(user: Any, tasks: list[Task]) -> set[int]:
    """Set ``task.can_tick`` on each of ``tasks``: may the user tick it done? One query in all."""
    ids: set[int] = set()
    if tasks and can(user, "change", Task):
        ids = set(
            Task.objects.restrict(user, "change")
            .filter(pk__in=[t.pk for t in tasks])
            .values_list("pk", flat=True)
        )
    for task in tasks:
        task.can_tick = task.pk in ids  # type: ignore[attr-defined]
    return ids


def _tasks_list_url(target: Any) -> str:
    from guanxi.customers.models import Customer

    if not isinstance(target, Customer):
        return ""
    return f"{reverse('activities:task_list')}?status=open&customer={target.pk}"


def panel_context(
    request: Any,
    target: Any,
    *,
    log_form: Any = None,
    task_form: Any = None,
    logged: FollowUp | None = None,
    show_task_form: bool = False,
) -> dict[str, Any]:
    from guanxi.activities.forms import QuickFollowUpForm, QuickTaskForm

    user = request.user
    tasks, count = open_tasks_of(target)
    can_log = can(user, "add", FollowUp)
    can_add_task = can(user, "add", Task)
    opened = request.GET.get("open", "")
    return {
        "activities_target": target,
        "activities_type_id": ContentType.objects.get_for_model(type(target)).pk,
        "open_tasks": tasks,
        "open_task_count": count,
        "changeable_task_ids": mark_changeable(user, tasks),
        "can_log_follow_up": can_log,
        "can_add_task": can_add_task,
        "log_form": log_form or (QuickFollowUpForm(target=target, user=user) if can_log else None),
        "task_form": task_form or (QuickTaskForm(target=target, user=user) if can_add_task else None),
        "show_task_form": show_task_form or opened == "task",
        "focus_log": opened == "log",
        "logged": logged,
        "last_contacted_at": getattr(target, "last_contacted_at", None),
        "tasks_list_url": _tasks_list_url(target),
    }
