"""Money: a Decimal amount in one ISO 4217 currency, with one rounding rule.

``Money("12.345", "CNY")`` is ¥12.35: every amount is quantized to its currency's minor unit
(2 decimals for CNY, 0 for JPY) with ``ROUND_HALF_UP`` — the rule people and Chinese invoices
(发票) use — at construction, so no other rounding happens anywhere. Amounts add and subtract only
within one currency (``CurrencyMismatch`` otherwise); they multiply and divide by plain numbers;
``allocate()`` splits an amount into parts that add up to it exactly (instalments of a contract).
Conversion to the company currency uses the dated ``core.ExchangeRate`` table (the rate for a
day is the one with the latest ``valid_from`` on or before it).

Why our own type and not django-money / py-moneyed
--------------------------------------------------
We looked at both. py-moneyed's ``Money`` keeps whatever precision it is given
(``Money("1.005", "CNY")`` stays 1.005) and leaves rounding to each caller — the opposite of
"one rounding rule". django-money's ``MoneyField`` is one DecimalField plus a hidden currency
column, read through a descriptor, and it patches the model's manager so that querysets accept
``Money`` values; our models use ``RestrictedQuerySet.as_manager()`` and every generic layer
(forms, tables, serializers, field rules, change log) works on concrete columns, so we would
be adapting it in all of those places anyway. Neither stores a base-currency amount for SQL
``SUM``, and django-money's exchange rates (``djmoney.contrib.exchange``) are one current rate
per currency fetched from a web service, not a dated table an administrator keeps. What we
need is small (this module and ``guanxi.framework.moneyfields``), so we write it — and avoid a
dependency that has to follow every Django release. See docs/money.md.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ROUNDING = decimal.ROUND_HALF_UP

# ISO 4217 minor units (decimal places) and names of the currencies Guanxi can hold. The ones a
# site offers are settings.CURRENCIES; the company currency is settings.COMPANY_CURRENCY.
MINOR_UNITS: dict[str, int] = {
    "CNY": 2,
    "HKD": 2,
    "MOP": 2,
    "TWD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "KRW": 0,
    "SGD": 2,
    "AUD": 2,
    "CAD": 2,
    "CHF": 2,
    "RUB": 2,
    "INR": 2,
    "THB": 2,
    "MYR": 2,
    "VND": 0,
    "IDR": 2,
    "AED": 2,
}
CURRENCY_NAMES: dict[str, Any] = {
    "CNY": _("Chinese yuan"),
    "HKD": _("Hong Kong dollar"),
    "MOP": _("Macanese pataca"),
    "TWD": _("New Taiwan dollar"),
    "USD": _("US dollar"),
    "EUR": _("Euro"),
    "GBP": _("Pound sterling"),
    "JPY": _("Japanese yen"),
    "KRW": _("South Korean won"),
    "SGD": _("Singapore dollar"),
    "AUD": _("Australian dollar"),
    "CAD": _("Canadian dollar"),
    "CHF": _("Swiss franc"),
    "RUB": _("Russian ruble"),
    "INR": _("Indian rupee"),
    "THB": _("Thai baht"),
    "MYR": _("Malaysian ringgit"),
    "VND": _("Vietnamese dong"),
    "IDR": _("Indonesian rupiah"),
    "AED": _("UAE dirham"),
}
# Chinese pages write the yuan as ¥ (how 发票 and contracts write it); every other currency, and
# every currency on English pages, as its ISO code — "¥" alone would be ambiguous with the yen.
CHINESE_SYMBOLS = {"CNY": "¥"}


class CurrencyMismatch(ValueError):
    """Adding, subtracting or comparing amounts in two currencies (convert one first)."""


class UnknownCurrency(ValueError):
    """A currency code that is not ISO 4217, or one Guanxi has no minor-unit entry for."""


def company_currency() -> str:
    """The currency reports add up in (``COMPANY_CURRENCY``, CNY by default)."""
    return str(settings.COMPANY_CURRENCY)


def currencies() -> list[str]:
    """The currencies users may pick (``CURRENCIES``), the company currency first."""
    offered = [c for c in settings.CURRENCIES if c in MINOR_UNITS]
    return [company_currency(), *[c for c in offered if c != company_currency()]]


def currency_choices() -> list[tuple[str, str]]:
    """``[("CNY", "CNY 人民币"), …]`` for selects (a callable, so models' migrations do not
    change when a site offers other currencies)."""
    return [(code, f"{code} {CURRENCY_NAMES.get(code, '')}".strip()) for code in currencies()]


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnknownCurrency(currency) from None


def quantum(currency: str) -> decimal.Decimal:
    """``Decimal("0.01")`` for CNY, ``Decimal("1")`` for JPY."""
    found = _QUANTA.get(currency)
    if found is None:  # every Money is rounded to it: a report of thousands of amounts asks often
        found = _QUANTA[currency] = decimal.Decimal(1).scaleb(-minor_units(currency))
    return found


_QUANTA: dict[str, decimal.Decimal] = {}


def to_decimal(value: Any) -> decimal.Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats go through their repr
    (``0.1`` is 0.1, not 0.1000000000000000055…). Anything else is a ValueError."""
    if isinstance(value, bool):
        raise ValueError("a yes/no value is not an amount")
    if isinstance(value, decimal.Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = decimal.Decimal(str(value).strip().replace(",", ""))
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def round_to(amount: decimal.Decimal, currency: str) -> decimal.Decimal:
    """The one rounding rule: the currency's minor unit, half up."""
    return amount.quantize(quantum(currency), rounding=ROUNDING)


class Money:
    """An immutable amount in one currency, always exact to its minor unit.

    >>> Money("10", "CNY").allocate([1, 1, 1])
    [Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY')]
    """

    __slots__ = ("amount", "currency")
    amount: decimal.Decimal
    currency: str

    def __init__(self, amount: Any, currency: str) -> None:
        code = str(currency).upper()
        minor_units(code)  # UnknownCurrency for a code we cannot round
        object.__setattr__(self, "currency", code)
        object.__setattr__(self, "amount", round_to(to_decimal(amount), code))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Money is immutable")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    # --- arithmetic -----------------------------------------------------------------------------
    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} amounts cannot be combined")
        return other

    def __add__(self, other: Any) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __radd__(self, other: Any) -> Money:
        if other == 0 and not isinstance(other, Money):  # sum() starts from 0
            return self
        return self.__add__(other)

    def __sub__(self, other: Any) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Any) -> Money:
        if isinstance(factor, Money):
            raise TypeError("an amount times an amount is not money")
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Any) -> Money:
        if isinstance(divisor, Money):
            raise TypeError("divide by a number; use allocate() to split an amount")
        return Money(self.amount / to_decimal(divisor), self.currency)

    def allocate(self, ratios: Sequence[Any]) -> list[Money]:
        """Parts in proportion to ``ratios`` that add up to exactly this amount.

        Each part is first rounded down to the minor unit; the minor units left over go one each to
        the parts with the largest remainders (earlier parts first on a tie), so no part is more
        than one minor unit from its exact share."""
        weights = [to_decimal(r) for r in ratios]
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("ratios must be non-negative numbers, not all zero")
        step = quantum(self.currency)
        total_units = int(self.amount / step)
        total_weight = sum(weights)
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            exact = [decimal.Decimal(abs(total_units)) * w / total_weight for w in weights]
        floors = [int(e) for e in exact]
        left = abs(total_units) - sum(floors)
        order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += 1
        sign = -1 if total_units < 0 else 1
        return [Money(step * units * sign, self.currency) for units in floors]

    def split(self, parts: int) -> list[Money]:
        """``parts`` equal instalments adding up exactly (the first ones take the odd cents)."""
        if parts < 1:
            raise ValueError("split into at least one part")
        return self.allocate([1] * parts)

    def convert(self, currency: str, rate: Any) -> Money:
        """This amount in ``currency``, at ``rate`` units of it per unit of ours, rounded once."""
        return Money(self.amount * to_decimal(rate), currency)

    # --- comparison -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __lt__(self, other: Any) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Any) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Any) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Any) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    # --- text and JSON --------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return self.format()

    def format(self, language: str | None = None) -> str:
        """``¥1,234.50`` on Chinese pages, ``CNY 1,234.50`` on English ones, ``USD 9.99`` on both."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        digits = f"{abs(self.amount):,.{minor_units(self.currency)}f}"
        sign = "-" if self.amount < 0 else ""
        symbol = CHINESE_SYMBOLS.get(self.currency) if language.startswith("zh") else None
        return f"{sign}{symbol}{digits}" if symbol else f"{sign}{self.currency} {digits}"

    def to_json(self) -> dict[str, str]:
        """``{"amount": "12.50", "currency": "CNY"}``: the API's and custom fields' form."""
        return {"amount": str(self.amount), "currency": self.currency}


def total(amounts: Iterable[Money], currency: str) -> Money:
    """The sum of ``amounts`` (all in ``currency``); ``Money.zero(currency)`` for none."""
    return sum(amounts, Money.zero(currency))


def rate_on(currency: str, day: datetime.date) -> decimal.Decimal | None:
    """Units of the company currency one unit of ``currency`` was worth on ``day``: the rate with
    the latest ``valid_from`` on or before it; 1 for the company currency; None when none is known.

    Reference data read by the system (to store base amounts), so not restricted to a user."""
    if currency == company_currency():
        return decimal.Decimal(1)
    from guanxi.core.models import ExchangeRate

    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    return rate


def to_company_currency(money: Money, day: datetime.date) -> Money | None:
    """``money`` in the company currency at ``day``'s rate (None when no rate is known)."""
    rate = rate_on(money.currency, day)
    return None if rate is None else money.convert(company_currency(), rate)
