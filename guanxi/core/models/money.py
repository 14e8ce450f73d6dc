"""Dated exchange rates into the company currency (see guanxi.framework.money, docs/money.md)."""

from __future__ import annotations

import decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import OrganizationalModel
from guanxi.framework.money import company_currency, currency_choices


class ExchangeRate(OrganizationalModel):
    """What one unit of ``currency`` is worth in the company currency from ``valid_from`` on.

    The rate for a day is the row with the latest ``valid_from`` on or before that day, so a new
    row changes the rate from its date forward and leaves earlier documents' rates alone. Amounts
    store their company-currency value when saved (``MoneyField``'s ``<name>_base``), so a rate
    entered later does not rewrite figures already reported."""

    # Reference data: every holder of a grant on rates reads them all (quotes in any currency).
    access_reference_data = True

    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices)
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(decimal.Decimal("0.00000001"))],
        help_text=_("Units of the company currency one unit of this currency is worth."),
    )
    valid_from = models.DateField(_("valid from"), db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchangerate_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.rate_text} ({self.valid_from})"

    @property
    def rate_text(self) -> str:
        """ "1 USD = 7.1234 CNY": what one unit is worth (the label without its date, which the
        list shows in a column of its own)."""
        rate = self.rate.normalize() if isinstance(self.rate, decimal.Decimal) else self.rate
        return f"1 {self.currency} = {rate:f} {company_currency()}"

    def clean(self) -> None:
        super().clean()
        if self.currency and self.currency == company_currency():
            raise ValidationError(
                {"currency": _("The company currency is always worth 1; no rate is needed.")}
            )
