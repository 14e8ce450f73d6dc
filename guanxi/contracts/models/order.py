"""Orders (订单): what a customer bought, when, through which channel — the purchase history
the analytics build on (RFM, CLV, churn read dated orders with their stored totals).

Statuses: draft → confirmed → fulfilled, and draft / confirmed → cancelled. Only a draft's header
and lines change. Line arithmetic is the quotes' (``guanxi.quotes.arithmetic``, no tax): each line
is rounded once per step (gross = quantity × unit price, discount = gross × % / 100, total = gross −
discount) and the order's ``total`` is the sum of its lines' rounded totals, stored on every change
of the lines (``services.save_order_lines``).
"""

from __future__ import annotations

import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.contracts.choices import CHANNEL_LIST, channel_choices
from guanxi.core.choices import ChoiceListField
from guanxi.framework import fieldaccess
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.money import Money, company_currency, currency_choices
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext

MAX_LINES = 500
ORDER_NUMBER_PATTERN = "SO-{YYYY}{MM}-{seq:5}"
NUMBERING_KEY = "contracts.order"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order status", "Draft")
    CONFIRMED = "confirmed", pgettext_lazy("order status", "Confirmed")
    FULFILLED = "fulfilled", pgettext_lazy("order status", "Fulfilled")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


#: Orders that count as bought (analytics and the customer's lifetime order total).
BOUGHT_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)


def _has_lines(ctx: TransitionContext) -> str | None:
    if not ctx.obj.lines.exists():
        return str(_("Add at least one line first."))
    return None


def _stamp_fulfilled(ctx: TransitionContext) -> None:
    ctx.obj.fulfilled_at = timezone.now()


class Order(PrimaryModel):
    """An order of a customer, made directly or from a contract; its lines are child records."""

    number = models.CharField(_("number"), max_length=40, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate, blank=True)
    channel = ChoiceListField(
        _("channel"), max_length=30, choices=channel_choices, default="direct", list_name=CHANNEL_LIST
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=currency_choices, default=company_currency
    )
    total = MoneyField(_("total"), date_field="order_date")
    total_amount: decimal.Decimal | None
    total_currency: str
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="confirm",
                source=[OrderStatus.DRAFT],
                target=OrderStatus.CONFIRMED,
                label=pgettext_lazy("order", "Confirm"),
                guards=[_has_lines],
            ),
            Transition(
                name="fulfil",
                source=[OrderStatus.CONFIRMED],
                target=OrderStatus.FULFILLED,
                label=pgettext_lazy("order", "Mark fulfilled"),
                effects=[_stamp_fulfilled],
            ),
            Transition(
                name="cancel",
                source=[OrderStatus.DRAFT, OrderStatus.CONFIRMED],
                target=OrderStatus.CANCELLED,
                label=pgettext_lazy("order", "Cancel"),
                inputs={"reason": Input(field="cancellation_reason", required=False, label=_("Reason"))},
            ),
        ],
    )

    class Meta:
        # "order" alone is also a position in a list (排序): the context keeps the two apart
        verbose_name = pgettext_lazy("sales order", "order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["number"], name="order_number")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_created"),
            models.Index(fields=["customer", "order_date"], name="order_customer_date"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status == OrderStatus.DRAFT

    def clean(self) -> None:
        super().clean()
        self.fill_defaults()
        errors: dict[str, Any] = {}
        contract = self.contract if self.contract_id else None
        if contract is not None and self.customer_id and contract.customer_id != self.customer_id:
            errors["contract"] = _("Choose a contract of the order's customer.")
        if self.pk and "currency" in self.changed_fields() and self.lines.exists():
            errors["currency"] = _("The order has lines; its currency can no longer change.")
        if errors:
            raise ValidationError(errors)

    def fill_defaults(self) -> None:
        if not self.customer_id and self.contract_id and self.contract is not None:
            self.customer_id = self.contract.customer_id
        self.order_date = self.order_date or timezone.localdate()

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        self.fill_defaults()
        if creating and not self.number:
            from guanxi.framework.numbering import next_number

            self.number = next_number(NUMBERING_KEY, ORDER_NUMBER_PATTERN, day=self.order_date, model=Order)
        self.total_currency = self.currency
        if self.total_amount is None:
            self.total_amount = Money.zero(self.currency).amount


class OrderLine(ChangeLoggedModel):
    """One line of an order: a product or free text, quantity, unit price and discount."""

    order = models.ForeignKey(
        Order,
        verbose_name=pgettext_lazy("sales order", "order"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = MoneyField(_("unit price"))
    unit_price_amount: decimal.Decimal | None
    unit_price_currency: str
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal(0)
    )
    total = MoneyField(_("line total"), same_currency_as="unit_price")

    access_parent = "order"
    # The lines' totals add up to the order's total (see the module docstring): a reader who may
    # not read that total reads the lines' money under its rule.
    rolls_up_into = fieldaccess.RollUp("order", "total", ("unit_price", "total"))
    changelog_parent = "order"

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "pk"]

    def __str__(self) -> str:
        return self.description or (self.product.name if self.product is not None else "")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.quantity is not None and self.quantity < 0:
            errors["quantity"] = _("The quantity cannot be negative.")
        if self.unit_price_amount is not None and self.unit_price_amount < 0:
            errors["unit_price_amount"] = _("The unit price cannot be negative.")
        if self.discount_percent is not None and not 0 <= self.discount_percent <= 100:
            errors["discount_percent"] = _("The discount is a percentage between 0 and 100.")
        if not self.product_id and not self.description.strip():
            errors["description"] = _("Choose a product or describe the line.")
        if self.order_id and self.unit_price_currency != self.order.currency:
            errors["unit_price_currency"] = _("Use the order's currency (%(currency)s).") % {
                "currency": self.order.currency
            }
        if errors:
            raise ValidationError(errors)

    def before_write(self, changed: set[str], creating: bool) -> None:
        """The line's total follows its inputs on every write (exact, see the module docstring)."""
        super().before_write(changed, creating)
        from guanxi.contracts.arithmetic import order_line_total

        if self.unit_price is None or self.quantity is None:
            return
        self.total = order_line_total(self.quantity, self.unit_price, self.discount_percent)
