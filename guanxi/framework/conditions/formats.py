"""Named value formats a condition can test: ``{"field": "phone", "op": "invalid_format", "value": "phone"}``.

A format is a regular expression that the database evaluates (Django's ``__regex``: PostgreSQL's
``~``, Python's ``re`` registered as SQLite's ``REGEXP``), so a data-quality count and the list it
links to are one set-based query on both databases. The patterns use only the syntax the two
share (``[0-9]`` rather than ``\\d`` outside brackets, no look-arounds).

A format describes the *stored* form: phones are stored in E.164 by the write path (a number that
does not parse is kept as typed, and is what ``invalid_format`` finds); the checksum of a credit
code is not a regular language, so its pattern checks the shape and ``validate`` (when given)
is the exact check for a per-record pass. Apps register their own formats
(``guanxi/customers/validators.py`` registers ``credit_code`` from its alphabet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ValueFormat:
    name: str
    label: Any
    pattern: str  # matched with ``__regex`` (search semantics: anchor it)
    validate: Callable[[str], None] | None = None  # the exact check, raising ValidationError


FORMATS: dict[str, ValueFormat] = {}


def register_format(
    name: str, label: Any, pattern: str, validate: Callable[[str], None] | None = None
) -> ValueFormat:
    """Declare a format conditions may test (re-registering a name replaces it)."""
    FORMATS[name] = ValueFormat(name, label, pattern, validate)
    return FORMATS[name]


# E.164 as the write path stores valid numbers: Chinese mobiles (1[3-9] + 9 digits) and fixed lines
# (Beijing 10 + 8 digits, other area codes + number: 9 to 11 digits after +86); elsewhere a
# country code then 6-14 digits.
PHONE_PATTERN = r"^\+(86(1[3-9][0-9]{9}|10[0-9]{8}|[2-9][0-9]{8,10})|(8[0-57-9]|[1-79])[0-9]{5,13})$"
# One @, no spaces, a dot in the domain: what Django's EmailValidator always requires.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"

register_format("phone", _("phone number"), PHONE_PATTERN)
register_format("email", _("email address"), EMAIL_PATTERN)
