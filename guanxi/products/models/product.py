"""Products (产品) and their category tree."""

from __future__ import annotations

import decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import OrganizationalModel, PrimaryModel
from guanxi.framework.moneyfields import MoneyField

PERCENT_VALIDATORS = [MinValueValidator(decimal.Decimal(0)), MaxValueValidator(decimal.Decimal(100))]


class ProductCategory(OrganizationalModel):
    """A node of the product category tree (reference data: everyone who sees products sees it)."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    access_reference_data = True

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return " / ".join(c.label for c in self.ancestors())

    @property
    def label(self) -> str:
        lang = translation.get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    def ancestors(self) -> list[ProductCategory]:
        """From the root down to this category (at most 10 levels: a cycle cannot loop forever)."""
        chain: list[ProductCategory] = []
        node: ProductCategory | None = self
        while node is not None and len(chain) < 10:
            chain.insert(0, node)
            node = node.parent
        return chain

    def clean(self) -> None:
        super().clean()
        node = self.parent
        for _step in range(20):
            if node is None:
                return
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot sit under itself.")})
            node = node.parent


class Product(PrimaryModel):
    """Something we sell: SKU, names, category, unit, list price (money) and tax rate.

    Pictures are the record's attachments (``guanxi.core.attachments``)."""

    sku = models.CharField(_("SKU"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="件")
    list_price = MoneyField(_("list price"))
    list_price_amount: decimal.Decimal | None  # the MoneyField's columns (for type checkers)
    list_price_currency: str
    list_price_base: decimal.Decimal | None
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal("13"),
        validators=PERCENT_VALIDATORS,
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        indexes = [models.Index(fields=["name"], name="product_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        lang = translation.get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    def clean(self) -> None:
        super().clean()
        if self.list_price_amount is not None and self.list_price_amount < 0:
            raise ValidationError({"list_price_amount": _("A price cannot be negative.")})
