"""Document numbers from a pattern (``HT-{YYYY}{MM}-{seq:4}``) that never repeat.

One rule for every numbered document (contracts, quotes …)::

    number = next_number("contracts.contract", "HT-{YYYY}{MM}-{seq:4}", day=signing_date)

Patterns are text with tokens in braces: ``{YYYY}`` (2026), ``{YY}`` (26), ``{MM}`` (01–12),
``{DD}`` (01–31) and exactly one ``{seq}`` or ``{seq:N}`` (the running number, at least N digits).
The sequence runs per *period*: the pattern with its date parts filled in, so
``HT-{YYYY}{MM}-{seq:4}`` restarts at 0001 each month and a changed pattern starts its own
sequence. A pattern without ``{seq…}`` is refused (``ValidationError``) — it would repeat.

The counter is a ``core.NumberSequence`` row read and incremented inside the caller's transaction:
on PostgreSQL under a row lock (``select_for_update``), on SQLite under the database's write lock
(Guanxi opens SQLite transactions ``IMMEDIATE``). Concurrent creations therefore wait for each
other and get consecutive numbers; a creation whose transaction fails gives its number back (the
increment is rolled back with it), so numbers have no gaps beyond that.

A scheme that already has numbered rows (numbers given before this service existed, or imported)
passes ``model=`` and ``field=``: a period's counter starts after the highest number already
stored for it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

TOKEN = re.compile(r"\{([^{}]*)\}")
SEQUENCE = re.compile(r"^seq(?::(\d{1,2}))?$")
DATE_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}
MAX_WIDTH = 12
PERIOD_MARK = "{seq}"


@dataclass(frozen=True)
class NumberPattern:
    """A parsed pattern: literal text and date tokens around one sequence of ``width`` digits."""

    text: str
    before: str  # the text before the sequence token (date tokens still in it)
    after: str
    width: int

    def _fill(self, part: str, day: datetime.date) -> str:
        return TOKEN.sub(lambda m: day.strftime(DATE_TOKENS[m.group(1)]), part)

    def period(self, day: datetime.date) -> str:
        """The period key: date parts filled in, the sequence left open (``HT-202612-{seq}``)."""
        return f"{self._fill(self.before, day)}{PERIOD_MARK}{self._fill(self.after, day)}"

    def format(self, day: datetime.date, sequence: int) -> str:
        return f"{self._fill(self.before, day)}{sequence:0{self.width}d}{self._fill(self.after, day)}"

    def sequence_of(self, number: str, day: datetime.date) -> int | None:
        """The running number inside ``number`` if it belongs to ``day``'s period, else None."""
        head, tail = self._fill(self.before, day), self._fill(self.after, day)
        if not number.startswith(head) or not number.endswith(tail):
            return None
        middle = number[len(head) : len(number) - len(tail) if tail else None]
        return int(middle) if middle.isdigit() else None


def parse_pattern(text: str) -> NumberPattern:
    """The pattern, or ``ValidationError`` saying what is wrong with it (in the user's language)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Enter a number pattern, for example HT-{YYYY}{MM}-{seq:4}."))
    if _unbalanced(text):
        raise ValidationError(_("The number pattern has an unmatched brace: write tokens as {YYYY}."))
    sequences = []
    for match in TOKEN.finditer(text):
        token = match.group(1)
        if SEQUENCE.match(token):
            sequences.append(match)
        elif token not in DATE_TOKENS:
            raise ValidationError(
                _("Unknown part {%(token)s} in the number pattern; use {YYYY}, {YY}, {MM}, {DD} and {seq:4}.")
                % {"token": token}
            )
    if not sequences:
        raise ValidationError(
            _(
                "The number pattern has no sequence, so numbers would repeat: add {seq:4} where the "
                "running number goes."
            )
        )
    if len(sequences) > 1:
        raise ValidationError(_("The number pattern may contain only one sequence ({seq:4})."))
    match = sequences[0]
    digits = SEQUENCE.match(match.group(1))
    width = int(digits.group(1)) if digits and digits.group(1) else 1
    if not 1 <= width <= MAX_WIDTH:
        raise ValidationError(
            _("The sequence has between 1 and %(max)d digits ({seq:4}).") % {"max": MAX_WIDTH}
        )
    return NumberPattern(text=text, before=text[: match.start()], after=text[match.end() :], width=width)


def _unbalanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
            if depth > 1:
                return True
        elif char == "}":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def validate_pattern(text: str, *, max_length: int | None = None) -> None:
    """Refuse a pattern that cannot number documents (also one whose numbers would not fit)."""
    pattern = parse_pattern(text)
    if max_length is not None:
        sample = pattern.format(datetime.date(2026, 12, 31), 10 ** (pattern.width + 1))
        if len(sample) > max_length:
            raise ValidationError(
                _("Numbers from this pattern would be longer than %(n)d characters.") % {"n": max_length}
            )


def next_number(
    key: str,
    pattern: str,
    *,
    day: datetime.date | None = None,
    model: type[models.Model] | None = None,
    field: str = "number",
) -> str:
    """The next number of scheme ``key`` for ``day`` (default today), taken in the caller's
    transaction (or one of its own): the counter row stays locked until that transaction ends."""
    from guanxi.core.models import NumberSequence

    parsed = parse_pattern(pattern)
    day = day or timezone.localdate()
    period = parsed.period(day)
    alias = router.db_for_write(NumberSequence)
    rows = NumberSequence.objects.using(alias)
    with transaction.atomic(using=alias):
        row = rows.select_for_update().filter(key=key, period=period).first()
        if row is None:
            start = _highest_stored(model, field, parsed, day) if model is not None else 0
            # Two first numbers of a period at once: the second insert waits for the first and
            # is dropped; both then lock the one row.
            rows.bulk_create([NumberSequence(key=key, period=period, last=start)], ignore_conflicts=True)
            row = rows.select_for_update().get(key=key, period=period)
        row.last += 1
        row.save(update_fields=["last", "updated_at"], using=alias)
        return parsed.format(day, row.last)


def _highest_stored(model: type[models.Model], field: str, pattern: NumberPattern, day: datetime.date) -> int:
    head = pattern.period(day).split(PERIOD_MARK)[0]
    values = model._base_manager.filter(**{f"{field}__startswith": head}).values_list(field, flat=True)
    found = [pattern.sequence_of(value, day) for value in values.iterator()]
    return max((n for n in found if n is not None), default=0)


def preview(pattern: str, *, day: datetime.date | None = None) -> str:
    """What the first number of ``day``'s period looks like (settings pages show it)."""
    return parse_pattern(pattern).format(day or timezone.localdate(), 1)


__all__ = ["NumberPattern", "next_number", "parse_pattern", "preview", "validate_pattern"]
