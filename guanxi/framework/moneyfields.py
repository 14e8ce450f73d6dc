"""Money on models, pages, filters and custom fields (the value type is ``guanxi.framework.money``).

``price = MoneyField(_("price"))`` on a model declares three columns and one attribute:

* ``price_amount``   DecimalField — the amount, exact to the currency's minor unit (validated);
* ``price_currency`` CharField — ISO 4217, choices ``settings.CURRENCIES``, default the company's;
* ``price_base``     DecimalField, not editable — the amount in the company currency at the rate
  of the document's date, written on every save, so reports ``SUM("price_base")`` in SQL;
* ``record.price``   a ``Money`` (or None), which also accepts a ``Money`` on assignment.

The three are ordinary concrete fields, so forms (amount + currency inputs), the change log,
field rules, imports and migrations treat them like any other. ``MoneyColumn`` shows the value
formatted and exports the amount as a number plus a currency column; ``money_filters`` gives
``<name>__gte`` / ``<name>__lte`` ranges on the base amount; the API field lives in
``guanxi.framework.api.money``. The ``money`` custom-field type (stored as
``{"amount": "12.50", "currency": "CNY"}``) is validated, edited, shown and filtered here.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from typing import TYPE_CHECKING, Any, overload

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.framework.money import (
    MINOR_UNITS,
    Money,
    UnknownCurrency,
    company_currency,
    currencies,
    currency_choices,
    minor_units,
    rate_on,
    round_to,
    to_company_currency,
    to_decimal,
)


def places_error(currency: str) -> str:
    places = minor_units(currency)
    if places == 0:
        return _("%(currency)s amounts are whole numbers.") % {"currency": currency}
    return _("%(currency)s amounts have at most %(n)d decimal places.") % {"currency": currency, "n": places}


def parse_money(amount: Any, currency: Any) -> Money:
    """A ``Money`` from user input, refusing (never rounding) more decimals than the currency has;
    ValidationError ``{"amount"|"currency": message}`` otherwise."""
    code = str(currency or company_currency()).strip().upper()
    if code not in currencies():
        raise ValidationError(
            {
                "currency": _("Unknown currency “%(currency)s”; use one of %(codes)s.")
                % {"currency": currency, "codes": ", ".join(currencies())}
            }
        )
    try:
        number = to_decimal(amount)
    except ValueError:
        raise ValidationError({"amount": _("Enter the amount as a number, e.g. “12.50”.")}) from None
    if number != round_to(number, code):
        raise ValidationError({"amount": places_error(code)})
    return Money(number, code)


# --- model fields -------------------------------------------------------------------------------
class MoneyAmountField(models.DecimalField):
    """``<name>_amount``: refuses more decimals than the row's currency has (JPY has none)."""

    money: MoneyField | None = None  # the declaration; absent on migration-state models

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value is None or self.money is None or model_instance is None:
            return
        currency = getattr(model_instance, self.money.currency_attname, None)
        if currency in MINOR_UNITS and value != round_to(value, currency):
            raise ValidationError(places_error(currency), code="decimal_places")


class MoneyCurrencyField(models.CharField):
    """``<name>_currency``: one of the offered currencies, with a known rate on the document date."""

    money: MoneyField | None = None

    def formfield(self, **kwargs: Any) -> Any:
        # Not required: a form without the input (or with it empty) means the company currency.
        return super().formfield(**{"required": False, "empty_value": company_currency(), **kwargs})

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if self.money is None or model_instance is None:
            return
        if getattr(model_instance, self.money.amount_attname, None) is None:
            return
        self.money.check_same_currency(model_instance, value)
        if value == company_currency():
            return
        day = self.money.document_date(model_instance)
        if rate_on(value, day) is None:
            raise ValidationError(
                _(
                    "No exchange rate for %(currency)s on or before %(date)s; an administrator "
                    "adds one under Settings → Exchange rates."
                )
                % {"currency": value, "date": day.isoformat()},
                code="no_rate",
            )


class MoneyBaseField(models.DecimalField):
    """``<name>_base``: the amount in the company currency, computed on every save (None when no
    rate is known for the document date — the form and API refuse that case)."""

    money: MoneyField | None = None

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        if self.money is None:
            return super().pre_save(model_instance, add)
        value = self.money.base_amount(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class MoneyDescriptor:
    """``record.price``: the amount and currency columns as a ``Money``; the declaration on the class."""

    def __init__(self, money: MoneyField) -> None:
        self.money = money

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self.money
        return self.money.value_of(instance)

    def __set__(self, instance: Any, value: Money | None) -> None:
        if value is None:
            setattr(instance, self.money.amount_attname, None)
            return
        if not isinstance(value, Money):
            raise TypeError(f"{self.money.name} takes a Money or None, not {type(value).__name__}")
        setattr(instance, self.money.amount_attname, value.amount)
        setattr(instance, self.money.currency_attname, value.currency)


class MoneyField:
    """A composite declaration: three concrete columns and a ``Money`` attribute (see module doc).

    ``date_field`` names the field holding the document's date (a contract's signing date); the
    rate of that day converts the amount. Without one, the row's creation date is used, so a
    record keeps the rate of the day it was made when edited later. ``same_currency_as`` names
    another MoneyField of the model whose currency this one must share (a discount and its
    price, an instalment and its contract's total): mixing them is a field error.
    """

    def __init__(
        self,
        verbose_name: Any,
        *,
        max_digits: int = 18,
        decimal_places: int = 2,
        blank: bool = True,
        date_field: str | None = None,
        same_currency_as: str | None = None,
        help_text: Any = "",
    ) -> None:
        self.verbose_name = verbose_name
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.blank = blank
        self.date_field = date_field
        self.same_currency_as = same_currency_as
        self.help_text = help_text
        self.name = ""

    if TYPE_CHECKING:  # what the MoneyDescriptor installed by contribute_to_class gives type checkers

        @overload
        def __get__(self, instance: None, owner: Any) -> MoneyField: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> Any: ...
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: Any, value: Any) -> None: ...

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        self.name = name
        self.model = cls
        self.amount_attname = f"{name}_amount"
        self.currency_attname = f"{name}_currency"
        self.base_attname = f"{name}_base"
        amount = MoneyAmountField(
            self.verbose_name,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            null=True,
            blank=self.blank,
            help_text=self.help_text,
        )
        currency = MoneyCurrencyField(
            format_lazy("{} ({})", self.verbose_name, gettext_lazy("currency")),
            max_length=3,
            choices=currency_choices,
            default=company_currency,
        )
        base = MoneyBaseField(
            format_lazy("{} ({})", self.verbose_name, gettext_lazy("company currency")),
            max_digits=self.max_digits + 6,
            decimal_places=self.decimal_places,
            null=True,
            blank=True,
            editable=False,
        )
        for attname, field in (
            (self.amount_attname, amount),
            (self.currency_attname, currency),
            (self.base_attname, base),
        ):
            field.money = self
            cls.add_to_class(attname, field)
        setattr(cls, name, MoneyDescriptor(self))

    def value_of(self, instance: Any) -> Money | None:
        amount = getattr(instance, self.amount_attname)
        if amount is None:
            return None
        try:
            return Money(amount, getattr(instance, self.currency_attname) or company_currency())
        except (UnknownCurrency, ValueError):
            return None

    def check_same_currency(self, instance: Any, currency: str) -> None:
        other = money_field(type(instance), self.same_currency_as) if self.same_currency_as else None
        if other is None:
            return
        theirs = other.value_of(instance)
        if theirs is not None and theirs.currency != currency:
            raise ValidationError(
                _("Use the currency of %(other)s (%(currency)s); amounts in one record are not mixed.")
                % {"other": other.verbose_name, "currency": theirs.currency},
                code="mixed_currencies",
            )

    def document_date(self, instance: Any) -> datetime.date:
        value = getattr(instance, self.date_field, None) if self.date_field else None
        if value is None:
            value = getattr(instance, "created_at", None)
        if isinstance(value, datetime.datetime):
            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        return value if isinstance(value, datetime.date) else timezone.localdate()

    def base_amount(self, instance: Any) -> decimal.Decimal | None:
        money = self.value_of(instance)
        if money is None:
            return None
        base = to_company_currency(money, self.document_date(instance))
        return None if base is None else base.amount


@functools.cache
def money_fields(model: type[models.Model]) -> tuple[MoneyField, ...]:
    """The MoneyField declarations of ``model`` (and its parents)."""
    found: dict[str, MoneyField] = {}
    for klass in reversed(model.__mro__):
        for value in vars(klass).values():
            if isinstance(value, MoneyDescriptor):
                found[value.money.name] = value.money
    return tuple(found.values())


def money_field(model: type[models.Model], name: str) -> MoneyField | None:
    return next((m for m in money_fields(model) if m.name == name), None)


def base_fields_to_save(model: type[models.Model], update_fields: Any) -> list[str]:
    """The ``<name>_base`` columns a ``save(update_fields=…)`` must also write: those whose amount,
    currency or document date is being saved (the write path saves only changed fields)."""
    names = set(update_fields)
    return [
        m.base_attname
        for m in money_fields(model)
        if names & {m.amount_attname, m.currency_attname, m.date_field or m.amount_attname}
    ]


# --- tables and filters -------------------------------------------------------------------------
class MoneyColumn(tables.Column):
    """A money value: ``¥1,234.50`` on the page, sorted by the base amount; exports write the amount
    as a number and add a currency column (the export engine reads ``export_currency``)."""

    export_currency = True

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("order_by", (f"{name}_base",))
        super().__init__(accessor=name, **kwargs)

    def render(self, value: Money) -> str:
        return value.format()

    def value(self, value: Money | None) -> Any:
        return None if value is None else value.amount

    def currency_of(self, record: Any) -> str:
        money = self.accessor.resolve(record, quiet=True)
        return money.currency if isinstance(money, Money) else ""


def money_filters(model: type[models.Model]) -> dict[str, django_filters.Filter]:
    """``<name>__gte`` / ``<name>__lte``: ranges on the company-currency amount of each MoneyField
    (built per FilterSet instance, so labels are in the request's language)."""
    out: dict[str, django_filters.Filter] = {}
    for money in money_fields(model):
        params = {"label": money.verbose_name, "currency": company_currency()}
        labels = {"gte": _("%(label)s from (%(currency)s)"), "lte": _("%(label)s to (%(currency)s)")}
        for lookup, text in labels.items():
            out[f"{money.name}__{lookup}"] = django_filters.NumberFilter(
                field_name=money.base_attname, lookup_expr=lookup, label=text % params
            )
    return out


# --- the ``money`` custom-field type ------------------------------------------------------------
def validate_money_value(cf: Any, value: Any, key: str) -> dict[str, str]:
    """``{"amount": "12.50", "currency": "CNY"}`` from a dict, a Money or a bare amount (company
    currency); a ValidationError keyed ``key`` otherwise."""
    if isinstance(value, Money):
        value = value.to_json()
    if isinstance(value, dict):
        unknown = set(value) - {"amount", "currency"}
        if unknown or "amount" not in value:
            raise ValidationError({key: _('Give money as {"amount": "12.50", "currency": "CNY"}.')})
        amount, currency = value.get("amount"), value.get("currency")
    else:
        amount, currency = value, None
    try:
        money = parse_money(amount, currency)
    except ValidationError as exc:
        raise ValidationError({key: [m for ms in exc.message_dict.values() for m in ms]}) from None
    from guanxi.framework.customfields import _check_range

    _check_range(cf, money.amount, key)
    return money.to_json()


def shown_money(instance: Any, money: MoneyField) -> str | None:
    """``money`` of ``instance`` as a person reads it: ``¥120,000.00``; an amount in another
    currency also shows its value in the company currency, ``US$10,000.00 (≈ ¥71,800.00)``."""
    value = money.value_of(instance)
    if value is None:
        return None
    base = getattr(instance, money.base_attname, None)
    company = company_currency()
    if value.currency == company or base is None:
        return value.format()
    return f"{value.format()} (≈ {Money(base, company).format()})"


def display_money(value: Any) -> str:
    try:
        return Money(value["amount"], value["currency"]).format()
    except (KeyError, TypeError, ValueError):
        return str(value)


class MoneyWidget(forms.MultiWidget):
    """An amount input and a currency select side by side."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = [forms.NumberInput(attrs={"step": "any"}), forms.Select(choices=currency_choices())]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get("amount"), value.get("currency") or company_currency()]
        return [None, company_currency()]


class MoneyFormField(forms.MultiValueField):
    """Amount + currency; cleans to ``{"amount": "12.50", "currency": "CNY"}`` (or None)."""

    widget = MoneyWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.DecimalField(required=False),
            forms.ChoiceField(choices=currency_choices, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dict[str, str] | None:
        if not data_list or data_list[0] in (None, ""):
            return None
        currency = data_list[1] if len(data_list) > 1 and data_list[1] else company_currency()
        return {"amount": str(data_list[0]), "currency": currency}


class MoneyCustomFieldFilter(django_filters.Filter):
    """``cf_<name>__gte`` / ``__lte`` compare the stored amount; ``cf_<name>__currency`` picks one
    currency (ranges compare amounts as written, so pair them with a currency for mixed data)."""

    def __init__(self, cf: Any, lookup: str, **kwargs: Any) -> None:
        self.cf = cf
        super().__init__(field_name=f"custom_field_data__{cf.name}", lookup_expr=lookup, **kwargs)

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if value in (None, "", []):
            return qs
        alias = f"_cf_{self.cf.name}_{self.lookup_expr}"
        path = f"custom_field_data__{self.cf.name}"
        if self.lookup_expr == "currency":
            text = Cast(KT(f"{path}__currency"), models.TextField())
            return qs.alias(**{alias: text}).filter(**{alias: str(value).upper()})
        try:
            number = to_decimal(value)
        except ValueError:
            return qs.none()
        amount = Cast(
            Cast(KT(f"{path}__amount"), models.TextField()),
            models.DecimalField(max_digits=30, decimal_places=10),
        )
        return qs.alias(**{alias: amount}).filter(**{f"{alias}__{self.lookup_expr}": number})


def money_custom_field_filters(cf: Any, label: Any) -> dict[str, django_filters.Filter]:
    key = f"cf_{cf.name}"
    return {
        f"{key}__gte": MoneyCustomFieldFilter(cf, "gte", label=_("%(label)s from") % {"label": label}),
        f"{key}__lte": MoneyCustomFieldFilter(cf, "lte", label=_("%(label)s to") % {"label": label}),
        f"{key}__currency": MoneyCustomFieldFilter(
            cf,
            "currency",
            label=_("%(label)s currency") % {"label": label},
            widget=forms.Select(choices=[("", "—"), *currency_choices()]),
        ),
    }
