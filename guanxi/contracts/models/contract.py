"""Contracts (合同): the signed agreement with a customer, numbered, approved and renewed.

Statuses: draft → pending approval → active → completed / terminated. *Submit* moves a draft to
pending approval and asks for *activate* (``needs_approval``): the approval engine (flow declared in
``guanxi/contracts/approvals.py``: amount above ¥100,000 or the accepted quote's discount above
15 %) files a request for the submitter's manager, or activates at once when no flow matches. A
rejected or withdrawn request leaves the contract pending and unlocked: *withdraw* returns it to
draft. Only a draft's content changes (``guards.py``); *terminate* needs a reason.

For the modules that build on contracts (回款, invoices, targets): ``customer``, ``owner`` (and its
``department``), ``amount`` (``amount_amount`` + ``amount_currency``, ``amount_base`` in the
company currency at the rate of ``signed_on``) and ``status`` are the stable fields; a contract
counts as *signed* in ``SIGNED_STATUSES`` (active, completed, terminated).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework import fieldaccess
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext, then

MAX_TERMS = 20_000
DEFAULT_NUMBER_PATTERN = "HT-{YYYY}{MM}-{seq:4}"
NUMBER_LENGTH = 40
NUMBERING_KEY = "contracts.contract"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract status", "Draft")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("contract status", "Pending approval")
    ACTIVE = "active", pgettext_lazy("contract status", "Active")
    COMPLETED = "completed", pgettext_lazy("contract status", "Completed")
    TERMINATED = "terminated", pgettext_lazy("contract status", "Terminated")


#: The statuses of a contract that was signed and took effect (lifetime signed totals count these).
SIGNED_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.TERMINATED)


class ContractSettings(ChangeLoggedModel):
    """The company's contract rules, kept by administrators; a singleton (``pk=1``).

    Read with ``ContractSettings.current()``; changed with
    ``guanxi.contracts.services.update_contract_settings``."""

    access_reference_data = True

    number_pattern = models.CharField(
        _("contract number pattern"),
        max_length=100,
        default=DEFAULT_NUMBER_PATTERN,
        help_text=_(
            "{YYYY} year, {YY} two-digit year, {MM} month, {DD} day, {seq:4} the running number "
            "(4 digits; it restarts when the date parts change)."
        ),
    )
    renewal_reminder_days = models.PositiveSmallIntegerField(
        _("renewal reminder (days before the end)"), default=30
    )

    class Meta:
        verbose_name = _("contract settings")
        verbose_name_plural = _("contract settings")

    def __str__(self) -> str:
        return str(_("Contract settings"))

    @classmethod
    def current(cls) -> ContractSettings:
        """The saved settings, or the defaults (not saved: reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def clean(self) -> None:
        super().clean()
        from guanxi.framework.numbering import validate_pattern

        errors: dict[str, Any] = {}
        try:
            validate_pattern(self.number_pattern, max_length=NUMBER_LENGTH)
        except ValidationError as exc:
            errors["number_pattern"] = exc.messages
        if self.renewal_reminder_days is not None and self.renewal_reminder_days > 365:
            errors["renewal_reminder_days"] = _("Remind at most 365 days before the end.")
        if errors:
            raise ValidationError(errors)


def _has_amount(ctx: TransitionContext) -> str | None:
    if ctx.obj.amount_amount is None:
        return str(_("Enter the contract amount first."))
    return None


def _stamp_terminated(ctx: TransitionContext) -> None:
    ctx.obj.terminated_at = timezone.now()


class Contract(PrimaryModel):
    """A contract with a customer: amount, dates, signers, terms, files, approval and renewal."""

    number = models.CharField(_("number"), max_length=NUMBER_LENGTH, editable=False)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    quote = models.ForeignKey(
        "quotes.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("The accepted quote the contract follows, if any."),
    )
    amount = MoneyField(_("amount"), date_field="signed_on")
    amount_amount: Decimal | None  # the MoneyField's columns (for type checkers)
    amount_currency: str
    amount_base: Decimal | None
    signed_on = models.DateField(_("signing date"), default=timezone.localdate, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    our_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_contracts",
    )
    customer_signer = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("customer's signer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signed_contracts",
    )
    terms = models.TextField(_("terms"), blank=True)
    discount_percent = models.DecimalField(
        _("quote discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0), editable=False
    )  # the accepted quote's overall discount: what the approval flow's condition reads
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    termination_reason = models.CharField(_("termination reason"), max_length=500, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True, editable=False)
    renewal_reminded_for = models.DateField(
        _("renewal reminder sent for"), null=True, blank=True, editable=False
    )  # the end date the last renewal reminder was about (the nightly job runs once per end date)
    renewal_deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("renewal deal"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="renewed_contracts",
    )

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="submit",
                source=[ContractStatus.DRAFT],
                target=ContractStatus.PENDING_APPROVAL,
                label=pgettext_lazy("contract", "Submit for approval"),
                guards=[_has_amount],
                after=[then("activate")],
            ),
            Transition(
                name="activate",
                source=[ContractStatus.PENDING_APPROVAL],
                target=ContractStatus.ACTIVE,
                label=pgettext_lazy("contract", "Activate"),
                needs_approval=True,
                direct=False,  # asked for by *submit*; applied by the approval engine
            ),
            Transition(
                name="withdraw",
                source=[ContractStatus.PENDING_APPROVAL],
                target=ContractStatus.DRAFT,
                label=pgettext_lazy("contract", "Withdraw"),
            ),
            Transition(
                name="complete",
                source=[ContractStatus.ACTIVE],
                target=ContractStatus.COMPLETED,
                label=pgettext_lazy("contract", "Mark completed"),
            ),
            Transition(
                name="terminate",
                source=[ContractStatus.ACTIVE],
                target=ContractStatus.TERMINATED,
                label=pgettext_lazy("contract", "Terminate"),
                confirm=True,  # not undone: a red button in the dialog that asks the reason
                inputs={
                    "reason": Input(
                        field="termination_reason",
                        label=_("Reason"),
                        message=_("Say why the contract is terminated."),
                    )
                },
                effects=[_stamp_terminated],
            ),
        ],
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["number"], name="contract_number")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contract_created"),
            models.Index(fields=["status", "ends_on"], name="contract_status_end"),
            models.Index(fields=["customer", "status"], name="contract_customer_status"),
        ]

    label_separator = " "

    def label_parts(self) -> list[tuple[str, Any]]:
        """ "HT-2026-0001 <title>", read through the reader's field rules (``fieldaccess.label``)."""
        return [("number", self.number), ("title", self.title)]

    def __str__(self) -> str:
        return fieldaccess.label(None, self)

    @property
    def is_editable(self) -> bool:
        return self.status == ContractStatus.DRAFT

    def clean(self) -> None:
        super().clean()
        self.fill_defaults()
        errors: dict[str, Any] = {}
        if self.terms and len(self.terms) > MAX_TERMS:
            errors["terms"] = _("Terms are limited to %(n)s characters (these have %(len)s).") % {
                "n": f"{MAX_TERMS:,}",
                "len": f"{len(self.terms):,}",
            }
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The contract cannot end before it starts.")
        if self.amount_amount is not None and self.amount_amount < 0:
            errors["amount_amount"] = _("The amount cannot be negative.")
        deal = self.deal if self.deal_id else None
        if deal is not None and self.customer_id and deal.customer_id != self.customer_id:
            errors["deal"] = _("Choose a deal of the contract's customer.")
        if self.quote_id:
            quote = self.quote
            if quote is not None and quote.customer_id != self.customer_id:
                errors["quote"] = _("Choose a quote of the contract's customer.")
            elif quote is not None and quote.status != "accepted":
                errors["quote"] = _("Choose a quote the customer accepted.")
        signer = self.customer_signer_id
        if signer and self.customer_id and not _is_contact_of(signer, self.customer_id):
            errors["customer_signer"] = _("Choose a contact of the contract's customer.")
        if errors:
            raise ValidationError(errors)

    def fill_defaults(self) -> None:
        """The customer from the deal or quote when none was chosen; the quote's discount."""
        if not self.customer_id:
            if self.quote_id and self.quote is not None:
                self.customer_id = self.quote.customer_id
            elif self.deal_id and self.deal is not None:
                self.customer_id = self.deal.customer_id
        if self.quote_id and self.quote is not None:
            self.discount_percent = self.quote.discount_percent
            if not self.deal_id:
                self.deal_id = self.quote.deal_id
        elif not self.quote_id:
            self.discount_percent = Decimal(0)
        self.signed_on = self.signed_on or timezone.localdate()

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        self.fill_defaults()
        if creating and not self.number:
            from guanxi.framework.numbering import next_number

            pattern = ContractSettings.current().number_pattern
            self.number = next_number(NUMBERING_KEY, pattern, day=self.signed_on, model=Contract)

    def days_to_end(self, today: datetime.date | None = None) -> int | None:
        if self.ends_on is None:
            return None
        return (self.ends_on - (today or timezone.localdate())).days


def _is_contact_of(contact_id: int, customer_id: int) -> bool:
    from guanxi.customers.models import CustomerContact

    return CustomerContact.objects.filter(contact_id=contact_id, customer_id=customer_id).exists()
