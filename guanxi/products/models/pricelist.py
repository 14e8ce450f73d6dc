"""Price lists (价目表): per customer level and/or currency, with dated per-product prices."""

from __future__ import annotations

import decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceListField
from guanxi.customers.choices import LEVEL_LIST, level_choices
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.money import company_currency, currency_choices
from guanxi.framework.moneyfields import MoneyField


def _check_dates(obj: models.Model, start: str, end: str) -> None:
    first, last = getattr(obj, start), getattr(obj, end)
    if first and last and last < first:
        raise ValidationError({end: _("The end date cannot be before the start date.")})


class PriceList(PrimaryModel):
    """Prices for customers of one level (or every level) in one currency."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(
        _("currency"), max_length=3, choices=currency_choices, default=company_currency
    )
    customer_level = ChoiceListField(
        _("customer level"),
        max_length=20,
        choices=level_choices,
        blank=True,
        list_name=LEVEL_LIST,
        help_text=_("Empty: the list applies to every level."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def _has_prices_in_another_currency(self) -> bool:
        return PriceListItem.objects.filter(price_list=self).exclude(price_currency=self.currency).exists()

    def clean(self) -> None:
        super().clean()
        _check_dates(self, "valid_from", "valid_until")
        if self.pk and "currency" in self.changed_fields() and self._has_prices_in_another_currency():
            raise ValidationError(
                {"currency": _("The list already has prices in another currency; change them first.")}
            )


class PriceListItem(ChangeLoggedModel):
    """One product's price on a price list, optionally for a date range."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        "products.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices"
    )
    price = MoneyField(_("price"))
    price_amount: decimal.Decimal | None  # the MoneyField's columns (for type checkers)
    price_currency: str
    price_base: decimal.Decimal | None
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    access_parent = "price_list"
    changelog_parent = "price_list"

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product__sku", "valid_from"]
        indexes = [models.Index(fields=["product", "price_list"], name="pricelistitem_product")]

    def __str__(self) -> str:
        return f"{self.price_list} · {self.product.sku}"

    def clean(self) -> None:
        super().clean()
        _check_dates(self, "valid_from", "valid_until")
        if self.price_amount is not None and self.price_amount < 0:
            raise ValidationError({"price_amount": _("A price cannot be negative.")})
        if self.price_list_id and self.price_currency != self.price_list.currency:
            raise ValidationError(
                {
                    "price_currency": _("The price list is in %(currency)s; give the price in %(currency)s.")
                    % {"currency": self.price_list.currency}
                }
            )
