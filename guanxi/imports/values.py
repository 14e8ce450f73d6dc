"""Cells as people write them → field values: numbers, dates, yes/no, text.

Each parser takes the cell (text from a CSV, or a typed value from Excel) and returns a Python
value or raises ``ValueError`` with a message for the user. Full-width characters (１２３, ，) are
folded to their ASCII forms first (NFKC), so 全角 digits read as digits.
"""

from __future__ import annotations

import datetime
import decimal
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
TRUE_WORDS = {"1", "true", "yes", "y", "是", "对", "真", "√", "✓", "有"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "不", "假", "×", "无", "不是"}
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:时](\d{2})分?(?::?(\d{2})秒?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY_SIGNS = "¥￥$€£元"


def fold(value: Any) -> str:
    """A cell as trimmed text with full-width forms folded (NFKC): "１２３，４" → "123,4"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800138000 as 13800138000.0
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def text(value: Any) -> str:
    """A text cell: kept as written (not folded: a name keeps its full-width brackets), trimmed;
    Excel's integral floats lose their ``.0`` (phones)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return fold(value)
    return str(value).strip()


def is_formula(value: Any) -> bool:
    """A cell that holds a spreadsheet formula rather than its value (``=SUM(A1:A3)``)."""
    return isinstance(value, str) and value.lstrip().startswith("=") and len(value.strip()) > 1


def number(value: Any) -> decimal.Decimal:
    """``1,234.50``, ``１２３４``, ``¥1 234``, ``12.5%`` (as 12.5) → a Decimal."""
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    cleaned = fold(value).replace("，", ",").strip(_CURRENCY_SIGNS + " ").rstrip("%")
    cleaned = cleaned.replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        parsed = decimal.Decimal(cleaned)
    except decimal.InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": str(value)[:50]}) from None
    if not parsed.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": str(value)[:50]})
    return parsed


def integer(value: Any) -> int:
    parsed = number(value)
    if parsed != parsed.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": str(value)[:50]})
    return int(parsed)


def date(value: Any) -> datetime.date:
    """2024-03-04, 2024/03/04, 2024.3.4, 2024年3月4日, 20240304, an Excel serial (45355) → a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return moment(value).date()


def moment(value: Any) -> datetime.datetime:
    """Like ``date`` with an optional time (naive; the caller makes it aware)."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    cleaned = fold(value)
    if isinstance(value, int | float) or re.fullmatch(r"\d{5}(\.\d+)?", cleaned):
        serial = float(cleaned)
        if 1 <= serial < 2_958_466:  # Excel's last date is 9999-12-31
            return datetime.datetime.combine(EXCEL_EPOCH, datetime.time()) + datetime.timedelta(days=serial)
    for pattern in _DATE_PATTERNS:
        found = pattern.match(cleaned)
        if found:
            parts = [int(p) if p else 0 for p in found.groups()] + [0, 0, 0]
            try:
                year, month, day, hour, minute, second = parts[:6]
                return datetime.datetime(year, month, day, hour, minute, second)
            except ValueError:
                break
    raise ValueError(
        _("“%(value)s” is not a date (write it like 2024-03-04, 2024/03/04 or 2024年3月4日).")
        % {"value": str(value)[:50]}
    )


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    cleaned = fold(value).lower()
    if cleaned == "":
        return None
    if cleaned in TRUE_WORDS:
        return True
    if cleaned in FALSE_WORDS:
        return False
    raise ValueError(_("Write yes or no (是/否) here, not “%(value)s”.") % {"value": str(value)[:50]})
