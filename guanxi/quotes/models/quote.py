"""Quotes (报价) on deals: lines, stored exact totals, versions and the status machine.

Statuses: draft → pending approval → approved → sent → accepted / rejected / expired. *Submit*
moves a draft to pending approval and asks for *approve* (``needs_approval``): the approval engine
(``guanxi/approvals``, flow declared in ``guanxi/quotes/approvals.py``: discount above 15 % or
grand total above ¥100,000) files a request for the submitter's manager, or approves at once when
the flow's condition does not match. A rejected or withdrawn request leaves the quote pending and
unlocked: *withdraw* returns it to draft. Only a draft's content and lines change; revising a
quote (``services.revise_quote``) copies it into the next version and leaves the old one
read-only (``is_current = False``).
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework import fieldaccess
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.money import Money, company_currency, currency_choices
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext, then

MAX_LINES = 500
MAX_TERMS = 10_000
VALIDITY_DAYS = 30


QUOTE_NUMBER_PATTERN = "Q-{YYYY}{MM}{DD}-{seq:4}"


def next_number(day: datetime.date) -> str:
    """``Q-20261206-0007``: the day's quotes numbered in order (versions share their number),
    from the shared numbering service (``guanxi.framework.numbering``)."""
    from guanxi.framework.numbering import next_number as take_number

    return take_number("quotes.quote", QUOTE_NUMBER_PATTERN, day=day, model=Quote)


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quote status", "Draft")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("quote status", "Pending approval")
    APPROVED = "approved", pgettext_lazy("quote status", "Approved")
    SENT = "sent", pgettext_lazy("quote status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("quote status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("quote status", "Rejected")
    EXPIRED = "expired", pgettext_lazy("quote status", "Expired")


def _has_lines_guard(ctx: TransitionContext) -> str | None:
    if not ctx.obj.lines.exists():
        return str(_("Add at least one line first."))
    return None


def _current_guard(ctx: TransitionContext) -> str | None:
    if not ctx.obj.is_current:
        return str(_("This is an old version of the quote; it can no longer change."))
    return None


def _after_accept(ctx: TransitionContext) -> None:
    from guanxi.quotes.services import mark_deal_won_from_quote

    if ctx.inputs.get("mark_deal_won") in (True, "1", "true", "on", "yes"):
        mark_deal_won_from_quote(ctx.obj, actor=ctx.actor, reason=ctx.inputs.get("won_reason") or "")


def _close_reasons() -> list[tuple[str, str]]:
    """The win reasons offered when accepting marks the deal won: the deal's configured list."""
    from guanxi.core.choices import active_choices
    from guanxi.sales.choices import CLOSE_REASON_LIST

    return active_choices(CLOSE_REASON_LIST)


def _stamp_sent(ctx: TransitionContext) -> None:
    ctx.obj.sent_at = timezone.now()


class Quote(PrimaryModel):
    """A priced offer to the customer of a deal; one row per version."""

    number = models.CharField(_("number"), max_length=30, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    deal = models.ForeignKey(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="quotes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="quotes",
        editable=False,
    )
    price_list = models.ForeignKey(
        "products.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text=_("Empty: the list for the customer's level and the quote's currency, if any."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=currency_choices, default=company_currency
    )
    quote_date = models.DateField(_("quote date"), default=timezone.localdate, blank=True)
    valid_until = models.DateField(_("valid until"), blank=True)
    terms = models.TextField(_("terms"), blank=True)
    # The customer's invoicing details (开票信息), copied from the customer when the quote is made.
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_number = models.CharField(_("taxpayer ID"), max_length=30, blank=True)
    invoice_address = models.CharField(_("invoice address"), max_length=300, blank=True)
    invoice_phone = models.CharField(_("invoice phone"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    # Stored totals (written by services.recalculate_quote from the lines; never typed in).
    subtotal = MoneyField(_("subtotal"), date_field="quote_date")
    discount_total = MoneyField(_("discount"), date_field="quote_date", same_currency_as="subtotal")
    tax_total = MoneyField(_("tax"), date_field="quote_date", same_currency_as="subtotal")
    grand_total = MoneyField(_("grand total"), date_field="quote_date", same_currency_as="subtotal")
    # subtotal − discount + tax is the grand total: a reader who may not read it reads those under
    # its rule too (``fieldaccess.RollUp`` on the same record)
    rolls_up_into = fieldaccess.RollUp("", "grand_total", ("subtotal", "discount_total", "tax_total"))
    discount_percent = models.DecimalField(
        _("overall discount (%)"), max_digits=5, decimal_places=2, default=0, editable=False
    )  # the discount total as a share of the subtotal: what the approval flow's condition reads
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="submit",
                source=[QuoteStatus.DRAFT],
                target=QuoteStatus.PENDING_APPROVAL,
                label=pgettext_lazy("quote", "Submit for approval"),
                guards=[_current_guard, _has_lines_guard],
                after=[then("approve")],
            ),
            Transition(
                name="approve",
                source=[QuoteStatus.PENDING_APPROVAL],
                target=QuoteStatus.APPROVED,
                label=pgettext_lazy("quote", "Approve"),
                needs_approval=True,
                direct=False,  # asked for by *submit*; applied by the approval engine
                guards=[_current_guard],
            ),
            Transition(
                name="withdraw",
                source=[QuoteStatus.PENDING_APPROVAL],
                target=QuoteStatus.DRAFT,
                label=pgettext_lazy("quote", "Withdraw"),
                guards=[_current_guard],
            ),
            Transition(
                name="send",
                source=[QuoteStatus.APPROVED],
                target=QuoteStatus.SENT,
                label=pgettext_lazy("quote", "Mark sent"),
                guards=[_current_guard],
                effects=[_stamp_sent],
            ),
            Transition(
                name="accept",
                source=[QuoteStatus.SENT],
                target=QuoteStatus.ACCEPTED,
                label=pgettext_lazy("quote", "Accepted by the customer"),
                guards=[_current_guard],
                inputs={
                    "mark_deal_won": Input(required=False, label=_("Mark the deal won"), control="checkbox"),
                    "won_reason": Input(required=False, label=_("Win reason"), choices=_close_reasons),
                },
                after=[_after_accept],
            ),
            Transition(
                name="reject",
                source=[QuoteStatus.SENT],
                target=QuoteStatus.REJECTED,
                label=pgettext_lazy("quote", "Rejected by the customer"),
                guards=[_current_guard],
                inputs={
                    "reason": Input(
                        field="rejection_reason",
                        required=False,
                        label=_("Reason"),
                    )
                },
            ),
            Transition(
                name="expire",
                source=[QuoteStatus.APPROVED, QuoteStatus.SENT],
                target=QuoteStatus.EXPIRED,
                label=pgettext_lazy("quote", "Expire"),
                direct=False,  # the nightly job (tasks.expire_quotes)
            ),
        ],
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="quote_number_version")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="quote_created"),
            models.Index(fields=["status", "valid_until"], name="quote_status_valid"),
        ]

    label_separator = " "

    def label_parts(self) -> list[tuple[str, Any]]:
        """ "Q-2026-0001 v2 <title>", read through the reader's field rules (``fieldaccess.label``).
        The same three parts whatever the values (``fieldaccess.label_fields``): an unnumbered
        draft's empty number and version are left out of the label."""
        numbered = bool(self.number)
        return [
            ("number", self.number),
            ("version", f"v{self.version}" if numbered else ""),
            ("title", self.title),
        ]

    def __str__(self) -> str:
        return fieldaccess.label(None, self)

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.status == QuoteStatus.DRAFT

    def clean(self) -> None:
        super().clean()
        self.fill_defaults()
        errors: dict[str, Any] = {}
        if self.terms and len(self.terms) > MAX_TERMS:
            errors["terms"] = _("Terms are limited to %(n)s characters (these have %(len)s).") % {
                "n": f"{MAX_TERMS:,}",
                "len": f"{len(self.terms):,}",
            }
        if self.valid_until and self.quote_date and self.valid_until < self.quote_date:
            errors["valid_until"] = _("The quote cannot expire before its date.")
        if self.price_list is not None and self.price_list.currency != self.currency:
            errors["price_list"] = _(
                "The price list is in %(list)s but the quote is in %(quote)s; choose a list in %(quote)s."
            ) % {"list": self.price_list.currency, "quote": self.currency}
        if self.deal_id and self.pk and "currency" in self.changed_fields() and self.lines.exists():
            errors["currency"] = _("The quote has lines; its currency can no longer change.")
        if errors:
            raise ValidationError(errors)

    def fill_defaults(self) -> None:
        """A new quote takes its customer from the deal, the customer's invoicing details where
        left empty, a validity of 30 days, the applicable price list and the next number."""
        self.quote_date = self.quote_date or timezone.localdate()
        self.valid_until = self.valid_until or self.quote_date + datetime.timedelta(days=VALIDITY_DAYS)
        if not self._state.adding or not self.deal_id:
            return
        from guanxi.products.services import applicable_price_lists

        customer = self.deal.customer
        self.customer = customer
        self.title = self.title or self.deal.name
        self.invoice_title = self.invoice_title or customer.name
        self.tax_number = self.tax_number or customer.credit_code
        self.invoice_address = self.invoice_address or customer.address
        self.invoice_phone = self.invoice_phone or customer.phone
        if self.price_list_id is None:
            lists = applicable_price_lists(currency=self.currency, level=customer.level, day=self.quote_date)
            self.price_list = lists[0] if lists else None

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        self.fill_defaults()
        if creating and not self.number:
            self.number = next_number(self.quote_date)
        for name in ("subtotal", "discount_total", "tax_total", "grand_total"):
            setattr(self, f"{name}_currency", self.currency)
            if getattr(self, f"{name}_amount") is None:
                setattr(self, f"{name}_amount", Money.zero(self.currency).amount)


class QuoteLine(ChangeLoggedModel):
    """One line of a quote: a product or free text, quantity, unit price, discount and tax."""

    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_lines",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # Ranges (quantity ≥ 0, percentages 0–100) are checked in clean() with messages that say so.
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = MoneyField(_("unit price"))
    unit_price_amount: decimal.Decimal | None  # the MoneyField's columns (for type checkers)
    unit_price_currency: str
    unit_price_base: decimal.Decimal | None
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal(0)
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal(0)
    )
    gross = MoneyField(_("amount before discount"), same_currency_as="unit_price")
    discount = MoneyField(_("discount amount"), same_currency_as="unit_price")
    tax = MoneyField(_("tax amount"), same_currency_as="unit_price")
    total = MoneyField(_("line total"), same_currency_as="unit_price")

    access_parent = "quote"
    # The lines' money adds up to the quote's grand total: a reader who may not read that total
    # reads these under its rule (adding the lines up would tell it).
    rolls_up_into = fieldaccess.RollUp(
        "quote", "grand_total", ("unit_price", "gross", "discount", "tax", "total")
    )
    changelog_parent = "quote"

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "pk"]

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
        if self.tax_rate is not None and not 0 <= self.tax_rate <= 100:
            errors["tax_rate"] = _("The tax rate is a percentage between 0 and 100.")
        if not self.product_id and not self.description.strip():
            errors["description"] = _("Choose a product or describe the line.")
        if self.quote_id and self.unit_price_currency != self.quote.currency:
            errors["unit_price_currency"] = _("Use the quote's currency (%(currency)s).") % {
                "currency": self.quote.currency
            }
        if errors:
            raise ValidationError(errors)

    def before_write(self, changed: set[str], creating: bool) -> None:
        """The line's amounts follow its inputs on every write (quote arithmetic, exact)."""
        super().before_write(changed, creating)
        from guanxi.quotes.arithmetic import line_amounts

        if self.unit_price is None or self.quantity is None:
            return
        amounts = line_amounts(self.quantity, self.unit_price, self.discount_percent, self.tax_rate)
        self.gross, self.discount, self.tax, self.total = (
            amounts.gross,
            amounts.discount,
            amounts.tax,
            amounts.total,
        )
