"""The 统一社会信用代码 (unified social credit code) of GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z): the
registering authority (1), the organisation kind (1), the administrative region (6 digits), the
organisation code (9) and a check character. The check character makes the weighted sum of all
18 values divisible by 31; since 31 is prime and no weight is a multiple of it, every
single-character error changes the sum and is caught.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def credit_code_check_char(body: str) -> str:
    """The 18th character for the first 17 (``body``); raises ``ValueError`` on a foreign symbol."""
    if len(body) != LENGTH - 1:
        raise ValueError("the body of a credit code has 17 characters")
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Upper case without surrounding or inner spaces (people paste ``9131 0000 …``)."""
    return "".join(value.split()).upper()


def validate_credit_code(value: str) -> None:
    """Raise a ``ValidationError`` in the user's language unless ``value`` is a valid code."""
    code = normalize_credit_code(value)
    if len(code) != LENGTH:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="credit_code_length")
    if any(char not in ALPHABET for char in code):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z."),
            code="credit_code_alphabet",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region code (digits)."),
            code="credit_code_region",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("This unified social credit code is mistyped: its check character does not match."),
            code="credit_code_checksum",
        )


def _register_credit_code_format() -> None:
    """The shape of a stored credit code as a condition format (``invalid_format``), from the
    alphabet above; the checksum is ``validate_credit_code``'s (a per-record check)."""
    from guanxi.framework.conditions.formats import register_format

    symbols = ALPHABET.replace("0123456789", "0-9")
    pattern = f"^[{symbols}]{{2}}[0-9]{{6}}[{symbols}]{{{LENGTH - 8}}}$"
    register_format("credit_code", _("unified social credit code"), pattern, validate_credit_code)


_register_credit_code_format()


def validate_phone(value: str) -> None:
    """A field validator for phone numbers, so the error is reported with the other field errors
    (forms and API); the model's ``clean()`` then stores the E.164 form."""
    from guanxi.framework.customfields import normalize_phone

    if value:
        try:
            normalize_phone(value, "phone")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["phone"], code="phone") from None


def e164_or_unchanged(value: str) -> str:
    """The E.164 form of a valid phone number; anything else unchanged (its validator reports it)."""
    from guanxi.framework.customfields import normalize_phone

    if not value:
        return value
    try:
        return normalize_phone(value, "phone")
    except ValidationError:
        return value


# -- 居民身份证号码 (GB 11643-1999) ------------------------------------------------------------------
# Six digits of region, eight of birth date (YYYYMMDD), three of sequence and a check character:
# the weighted sum (weights 2^(17-i) mod 11) of the first 17 digits, mod 11, indexes ID_CHECK.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_number_check_char(body: str) -> str:
    """The 18th character of an ID number for its first 17 digits."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError("the body of an ID number is 17 digits")
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Upper case (a trailing ``x`` is the check character X), without spaces."""
    return "".join((value or "").split()).upper()


def validate_id_number(value: str) -> None:
    """Raise a ``ValidationError`` in the user's language unless ``value`` is a valid 18-character ID."""
    import datetime

    code = normalize_id_number(value)
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        raise ValidationError(
            _("An ID card number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    try:
        born = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > datetime.date.today():
        raise ValidationError(
            _("Characters 7 to 14 of an ID card number are the birth date: this one is not a real date."),
            code="id_birth_date",
        )
    if id_number_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("This ID card number is mistyped: its check character does not match."), code="id_checksum"
        )
