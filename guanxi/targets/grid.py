"""The target grid's data: subjects × months for one department, measure and year, with the
quarter and year totals, each row's actual for the year and its completion — and the XLSX
layout the grid downloads and uploads (the same columns both ways)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.targets import services
from guanxi.targets.services import MONTHS, Subject
from guanxi.users.models import Department


@dataclass
class Row:
    subject: Subject
    cells: list[tuple[str, Any, str]] = field(default_factory=list)  # (period, shown value, error)
    quarters: list[Decimal] = field(default_factory=list)
    year: Decimal = Decimal(0)
    actual: Any = 0
    completion: Decimal | None = None
    actual_url: str = ""


def percent(actual: Any, target: Any) -> Decimal | None:
    """Completion in percent (one decimal), None without a target."""
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"))


def build_rows(
    actor: Any,
    measure: str,
    year: int,
    department: Department,
    *,
    typed: dict[tuple[str, str], Any] | None = None,
    errors: dict[str, str] | None = None,
    subjects: list[Subject] | None = None,
) -> list[Row]:
    """The grid's rows (the department's, or ``subjects``): stored targets (or, after a refused
    save, what was typed) and actuals."""
    from guanxi.framework.measures import rows_link

    if subjects is None:
        subjects = services.grid_subjects(department)
    stored = services.existing_targets(measure, year, subjects)
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    actuals = services.SubjectActuals(actor, measure, start, end)
    rows = []
    for subject in subjects:
        row = Row(subject)
        values: list[Decimal] = []
        for period in MONTHS:
            target = stored.get((subject.key, period))
            shown: Any = target.amount if target is not None else ""
            if typed is not None and (subject.key, period) in typed:
                shown = typed[(subject.key, period)]
            error = (errors or {}).get(f"{subject.key}:{period}", "")
            row.cells.append((period, _plain(shown), error))
            values.append(target.amount if target is not None else Decimal(0))
        row.quarters = [sum(values[q * 3 : q * 3 + 3], Decimal(0)) for q in range(4)]
        row.year = sum(values, Decimal(0))
        row.actual = actuals.of(subject)
        row.completion = percent(row.actual, row.year)
        if subject.kind == "user":
            row.actual_url = rows_link(measure, start, end, owner_id=subject.id)
        rows.append(row)
    return rows


def _plain(value: Any) -> str:
    """A stored amount as typed in a cell: no trailing ``.00``."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return str(value)


# -- Excel --------------------------------------------------------------------------------------------
def workbook(rows: list[Row], *, measure_label: str, year: int, department: Department) -> bytes:
    """The grid as XLSX: a key column (kept on upload), the name, then the 12 months."""
    from openpyxl import Workbook

    from guanxi.framework.exporting import neutralize

    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([_("Key"), _("Name"), *[_("Month %(month)d") % {"month": m} for m in range(1, 13)]])
    for row in rows:
        values = [Decimal(v) if v not in ("", None) else None for _p, v, _e in row.cells]
        sheet.append([row.subject.key, neutralize(row.subject.label), *values])
    sheet.column_dimensions["B"].width = 24
    props = book.properties
    props.title = f"{measure_label} {year} {department}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_workbook(
    data: bytes, subjects: list[Subject]
) -> tuple[dict[tuple[str, str], Any], dict[str, int], dict[str, str]]:
    """An uploaded grid (the download's layout): its cells by (subject key, period), the sheet
    row of each key, and layout errors by cell address. Rows are matched by the key column."""
    from openpyxl import load_workbook

    errors: dict[str, str] = {}
    cells: dict[tuple[str, str], Any] = {}
    lines: dict[str, int] = {}
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any unreadable upload is one message, never a 500
        return {}, {}, {"file": _("This file is not an Excel workbook (.xlsx).")}
    keys = {s.key for s in subjects}
    for number, values in enumerate(
        book.worksheets[0].iter_rows(min_row=2, max_col=14, values_only=True), start=2
    ):
        if not values or all(v in (None, "") for v in values):
            continue
        key = str(values[0] or "").strip()
        if key not in keys:
            errors[f"A{number}"] = _("“%(key)s” is not a row of this grid.") % {"key": key}
            continue
        if key in lines:
            errors[f"A{number}"] = _("“%(key)s” appears twice.") % {"key": key}
            continue
        lines[key] = number
        for index, period in enumerate(MONTHS):
            raw = values[2 + index] if len(values) > 2 + index else None
            cells[(key, period)] = "" if raw is None else raw
    book.close()
    return cells, lines, errors


def cell_address(key_period: str, lines: dict[str, int]) -> str:
    """``"u12:m03"`` → the sheet cell (``"E5"``) of that subject's month."""
    from openpyxl.utils import get_column_letter

    key, period = key_period.split(":")
    return f"{get_column_letter(2 + int(period[1:]))}{lines.get(key, 0)}"
