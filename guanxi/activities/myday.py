"""The "My day" cards of the home page: today's tasks, follow-ups due today, overdue tasks and
birthdays this week. Each card: a count, up to ``ROWS`` rows, a link to the full list, an empty
state. Everything reads through ``restrict()``; each card costs one or two bounded queries.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.activities.panel import mark_changeable
from guanxi.framework.access import can
from guanxi.framework.cards import register_card

ROWS = 8
BIRTHDAY_DAYS = 7
# Birthdays read per source before sorting by the coming date (the window matches ~2% of people)
BIRTHDAY_FETCH = 200


def _day_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of today and of tomorrow in the current (the user's) time zone."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _bounded(queryset: QuerySet) -> tuple[list[Any], int]:
    rows = list(queryset[: ROWS + 1])
    count = len(rows) if len(rows) <= ROWS else queryset.count()
    return rows[:ROWS], count


def _task_card(request: Any, link: dict[str, str], **extra: Any) -> dict[str, Any] | None:
    """A card of the user's open tasks: the rows the task list shows for ``link``.

    The card reads through the task list's own filters with the parameters of its link, so the
    number on the card is the number of rows the list shows (one definition: the list's).
    """
    from django.http import QueryDict

    from guanxi.activities.filtersets import TaskFilterSet

    user = request.user
    if not user.is_authenticated or not can(user, "view", Task):
        return None
    now = timezone.now()
    params = {"mine": "true", "status": "open", **link}
    query = QueryDict(mutable=True)
    query.update(params)
    filterset = TaskFilterSet(query, queryset=Task.objects.restrict(user, "view"), request=request)
    rows = filterset.qs.select_related("customer").order_by(F("due_at").asc(nulls_last=True), "id")
    tasks, count = _bounded(rows)
    return {
        "tasks": tasks,
        "count": count,
        "changeable_task_ids": mark_changeable(user, tasks),
        "list_url": f"{reverse('activities:task_list')}?{urlencode(params)}",
        "now": now,
        **extra,
    }


@register_card("home.main", "activities/home_today.html", weight=10)
def today_card(request: Any, obj: Any) -> dict[str, Any] | None:
    day = _day_bounds(timezone.now())[0].date().isoformat()
    return _task_card(request, {"due_after": day, "due_before": day, "from_follow_up": "false"})


@register_card("home.main", "activities/home_followups.html", weight=20)
def follow_ups_due_card(request: Any, obj: Any) -> dict[str, Any] | None:
    day = _day_bounds(timezone.now())[0].date().isoformat()
    return _task_card(request, {"due_after": day, "due_before": day, "from_follow_up": "true"})


@register_card("home.main", "activities/home_overdue.html", weight=30)
def overdue_card(request: Any, obj: Any) -> dict[str, Any] | None:
    # Overdue is the list's "overdue": open and due before now (a task due at 9:00 is late at 10:00).
    return _task_card(request, {"overdue": "true"})


# -- birthdays -------------------------------------------------------------------------------------


def birthday_days(today: datetime.date, days: int = BIRTHDAY_DAYS) -> list[tuple[datetime.date, int, int]]:
    """(date, month, day) of the birthdays celebrated on each of the next ``days`` days.

    Crosses the year end (Dec 29 → Jan 4). People born on 29 February celebrate on the 28th in a
    year without one, so that day also matches (2, 29).
    """
    out = []
    for offset in range(days):
        date = today + datetime.timedelta(days=offset)
        out.append((date, date.month, date.day))
        if date.month == 2 and date.day == 28 and not calendar.isleap(date.year):
            out.append((date, 2, 29))
    return out


@dataclass
class Birthday:
    date: datetime.date
    person: Any
    kind: str  # "customer" | "contact"
    age: int | None

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def upcoming_birthdays(user: Any, today: datetime.date) -> tuple[list[Birthday], int]:
    """Individual customers and contacts the user may view whose birthday falls in the next week,
    soonest first: up to ``ROWS`` of them, and how many there are."""
    from guanxi.customers.models import Contact, Customer

    days = birthday_days(today)
    when = {(m, d): date for date, m, d in days}
    condition = Q()
    for _date, month, day in days:
        condition |= Q(birthday__month=month, birthday__day=day)
    found: list[Birthday] = []
    total = 0
    sources: list[tuple[str, QuerySet]] = []
    if can(user, "view", Customer):
        sources.append(
            (
                "customer",
                Customer.objects.restrict(user, "view").filter(condition, kind=Customer.Kind.INDIVIDUAL),
            )
        )
    if can(user, "view", Contact):
        sources.append(("contact", Contact.objects.restrict(user, "view").filter(condition)))
    for kind, queryset in sources:
        rows = list(queryset.order_by("birthday", "pk")[: BIRTHDAY_FETCH + 1])
        total += len(rows) if len(rows) <= BIRTHDAY_FETCH else queryset.count()
        for person in rows:
            date = when[(person.birthday.month, person.birthday.day)]
            found.append(Birthday(date, person, kind, date.year - person.birthday.year))
    found.sort(key=lambda b: (b.date, str(b.person)))
    return found[:ROWS], total


@register_card("home.main", "activities/home_birthdays.html", weight=40)
def birthdays_card(request: Any, obj: Any) -> dict[str, Any] | None:
    from guanxi.customers.models import Contact, Customer

    user = request.user
    if not user.is_authenticated or not (can(user, "view", Customer) or can(user, "view", Contact)):
        return None
    birthdays, count = upcoming_birthdays(user, timezone.localdate())
    return {"birthdays": birthdays, "count": count}
