"""The period a page reads from its query: a month, a quarter or a year (forecast, leaderboard),
or for the dashboard also this month / quarter / year and a custom range."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class Period:
    kind: str  # month | quarter | year | custom
    year: int
    number: int  # the month or the quarter (0 for a year or a custom range)
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.number}
        if self.kind == "quarter":
            return _("Q%(quarter)d %(year)d") % {"quarter": self.number, "year": self.year}
        if self.kind == "year":
            return str(self.year)
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"

    def query(self) -> str:
        if self.kind == "custom":
            return f"period=custom&start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"
        return f"period={self.kind}&year={self.year}&number={self.number}"


def bounds(kind: str, year: int, number: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a month (1–12), a quarter (1–4) or a year."""
    if kind == "month":
        start = datetime.date(year, number, 1)
        following = datetime.date(year + 1, 1, 1) if number == 12 else datetime.date(year, number + 1, 1)
        return start, following - datetime.timedelta(days=1)
    if kind == "quarter":
        return datetime.date(year, 3 * number - 2, 1), bounds("month", year, 3 * number)[1]
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def from_query(params: Any, *, default: str = "month", custom: bool = False) -> Period:
    """The period of ``params`` (a QueryDict); anything malformed falls back to the current one."""
    today = timezone.localdate()
    kind = params.get("period") or default
    if kind == "custom" and custom:
        start, end = _date(params.get("start")), _date(params.get("end"))
        if start and end and start <= end and (end - start).days <= 3 * 366:
            return Period("custom", start.year, 0, start, end)
        kind = default
    if kind not in ("month", "quarter", "year"):
        kind = default
    year = _int(params.get("year"), today.year, 2000, 2100)
    if kind == "month":
        number = _int(params.get("number"), today.month if year == today.year else 1, 1, 12)
    elif kind == "quarter":
        number = _int(params.get("number"), (today.month - 1) // 3 + 1 if year == today.year else 1, 1, 4)
    else:
        number = 0
    return Period(kind, year, number, *bounds(kind, year, number))
