"""Value tokens (``$me``, ``$my_team``, ``$my_department``, ``$my_department_tree``, ``$today``)
and the date ranges of the relative date operators, resolved per user and per moment.

Tokens are resolved at compile time, never stored resolved: a shared view "my team's customers"
shows each viewer their own team. The team and the department subtree come from the access
module (``guanxi.users.access``), computed once per request and cached on the user.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

USER_TOKENS = ("$me", "$my_team")
DEPARTMENT_TOKENS = ("$my_department", "$my_department_tree")
DATE_TOKENS = ("$today",)
UNITS = ("day", "week", "month", "year")


def resolve_ids(values: list[Any], user: Any) -> list[int]:
    """Ids of users or departments, tokens expanded for ``user`` (validated beforehand)."""
    from guanxi.users.access import subordinate_ids, subtree_department_ids

    out: list[int] = []
    for value in values:
        if value == "$me":
            out.append(user.pk)
        elif value == "$my_team":
            out += [user.pk, *subordinate_ids(user)]
        elif value == "$my_department":
            out += [user.department_id] if user.department_id else []
        elif value == "$my_department_tree":
            out += subtree_department_ids(user)
        else:
            out.append(int(value))
    return list(dict.fromkeys(out))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (31 Jan + 1
    month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (next_first - datetime.timedelta(days=1)).day))


def shift(day: datetime.date, amount: int, unit: str) -> datetime.date:
    """``day`` moved by ``amount`` units (negative: into the past)."""
    if unit == "day":
        return day + datetime.timedelta(days=amount)
    if unit == "week":
        return day + datetime.timedelta(weeks=amount)
    return add_months(day, amount * (12 if unit == "year" else 1))


def period(op: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[first day, day after the last) of today / this week (Monday first) / month / quarter / year."""
    if op == "today":
        return today, today + datetime.timedelta(days=1)
    if op == "this_week":
        start = today - datetime.timedelta(days=today.weekday())
        return start, start + datetime.timedelta(weeks=1)
    if op == "this_month":
        start = today.replace(day=1)
        return start, add_months(start, 1)
    if op == "this_quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return start, add_months(start, 3)
    start = today.replace(month=1, day=1)  # this_year
    return start, start.replace(year=start.year + 1)


def start_of(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of ``day`` (aware), where a day of a date-time column begins."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now) if now is not None else timezone.localdate()
