"""Invoice requests (开票申请): a rep asks finance to issue a VAT invoice for a contract.

Statuses: draft → pending approval → approved → issued, rejected or cancelled. *Submit* asks for
*approve* (``needs_approval``, the engine: flow in ``guanxi/receivables/approvals.py``); finance
*issues* an approved request with the invoice number and date (verb ``issue``). The amount may
not exceed the contract's confirmed receipts not already invoiced — or the contract amount when
the company allows invoicing before payment (``ReceivableSettings``) — checked under a lock on
the contract (``guards.py``). A 专用发票 (special VAT invoice) needs the bank, account, address and
phone; the 税号 is validated (``validators.py``). A new request takes the customer's invoicing
details (name, credit code, address, phone; bank from the contract's quote).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.contracts.models.contract import SIGNED_STATUSES
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext, then
from guanxi.receivables.validators import normalize_tax_id, validate_tax_id

INVOICE_NUMBER_PATTERN = "KP-{YYYY}{MM}-{seq:4}"
INVOICE_NUMBERING_KEY = "receivables.invoicerequest"


class InvoiceKind(models.TextChoices):
    NORMAL = "normal", _("VAT general invoice")
    SPECIAL = "special", _("VAT special invoice")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("invoice status", "Pending approval")
    APPROVED = "approved", pgettext_lazy("invoice status", "Approved")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    REJECTED = "rejected", pgettext_lazy("invoice status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("invoice status", "Cancelled")


#: Requests holding part of what may be invoiced (a rejected or cancelled one frees it).
LIVE_INVOICE_STATUSES = (
    InvoiceStatus.DRAFT,
    InvoiceStatus.PENDING_APPROVAL,
    InvoiceStatus.APPROVED,
    InvoiceStatus.ISSUED,
)


class ReceivableSettings(ChangeLoggedModel):
    """The company's invoicing rule, kept by administrators; a singleton (``pk=1``)."""

    access_reference_data = True

    allow_invoice_before_payment = models.BooleanField(
        _("allow invoicing before payment"),
        default=False,
        help_text=_("Invoices may then be requested up to the contract amount, not only what was received."),
    )

    class Meta:
        verbose_name = _("receivables settings")
        verbose_name_plural = _("receivables settings")

    def __str__(self) -> str:
        return str(_("Receivables settings"))

    @classmethod
    def current(cls) -> ReceivableSettings:
        """The saved settings, or the defaults (not saved: reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


def _stamp_issued(ctx: TransitionContext) -> None:
    ctx.obj.invoice_date = ctx.obj.invoice_date or timezone.localdate()


class InvoiceRequest(PrimaryModel):
    """A request to issue a VAT invoice for (part of) a contract."""

    number = models.CharField(_("number"), max_length=40, editable=False)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="invoice_requests",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="invoice_requests",
        editable=False,
    )
    receipts = models.ManyToManyField(
        "receivables.Receipt", verbose_name=_("receipts"), blank=True, related_name="invoice_requests"
    )
    kind = models.CharField(
        _("invoice type"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.NORMAL
    )
    title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20, blank=True, validators=[validate_tax_id])
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    address = models.CharField(_("invoice address"), max_length=300, blank=True)
    phone = models.CharField(_("invoice phone"), max_length=30, blank=True)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    amount = MoneyField(_("amount"), date_field="requested_on")
    amount_amount: Decimal | None
    amount_currency: str
    amount_base: Decimal | None
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="submit",
                source=[InvoiceStatus.DRAFT],
                target=InvoiceStatus.PENDING_APPROVAL,
                label=pgettext_lazy("invoice", "Submit for approval"),
                after=[then("approve")],
            ),
            Transition(
                name="approve",
                source=[InvoiceStatus.PENDING_APPROVAL],
                target=InvoiceStatus.APPROVED,
                label=pgettext_lazy("invoice", "Approve"),
                needs_approval=True,
                direct=False,
            ),
            Transition(
                name="withdraw",
                source=[InvoiceStatus.PENDING_APPROVAL],
                target=InvoiceStatus.DRAFT,
                label=pgettext_lazy("invoice", "Withdraw"),
            ),
            Transition(
                name="reject",
                source=[InvoiceStatus.PENDING_APPROVAL],
                target=InvoiceStatus.REJECTED,
                label=pgettext_lazy("invoice", "Reject"),
                verb="approve",
                inputs={
                    "reason": Input(
                        field="rejection_reason",
                        label=_("Reason"),
                        message=_("Say why the invoice request is rejected."),
                    )
                },
            ),
            Transition(
                name="issue",
                source=[InvoiceStatus.APPROVED],
                target=InvoiceStatus.ISSUED,
                label=pgettext_lazy("invoice", "Mark issued"),
                verb="issue",
                inputs={
                    "invoice_number": Input(
                        field="invoice_number",
                        label=_("Invoice number"),
                        message=_("Enter the number of the invoice issued."),
                    ),
                    "invoice_date": Input(field="invoice_date", required=False, label=_("Invoice date")),
                },
                effects=[_stamp_issued],
            ),
            Transition(
                name="cancel",
                source=[InvoiceStatus.DRAFT, InvoiceStatus.APPROVED],
                target=InvoiceStatus.CANCELLED,
                label=pgettext_lazy("invoice", "Cancel"),
            ),
        ],
    )

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["-requested_on", "-pk"]
        permissions = [
            ("approve_invoicerequest", _("Approve")),
            ("issue_invoicerequest", _("Issue invoices")),
        ]
        constraints = [models.UniqueConstraint(fields=["number"], name="invoice_request_number")]
        indexes = [models.Index(fields=["contract", "status"], name="invoice_contract_status")]

    def __str__(self) -> str:
        return self.number or str(_("New invoice request"))

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    def fill_defaults(self) -> None:
        """The customer follows the contract; a new request takes the customer's invoicing
        details where left empty (the bank from the contract's quote), and the contract's owner."""
        if self.tax_id:
            self.tax_id = normalize_tax_id(self.tax_id)
        if not self.contract_id:
            return
        contract = self.contract
        self.customer_id = contract.customer_id
        if not self._state.adding:
            return
        customer = contract.customer
        self.title = self.title or customer.name
        self.tax_id = self.tax_id or normalize_tax_id(customer.credit_code or "")
        self.address = self.address or customer.address or ""
        self.phone = self.phone or customer.phone or ""
        quote = contract.quote if contract.quote_id else None
        if quote is not None:
            self.bank_name = self.bank_name or quote.bank_name
            self.bank_account = self.bank_account or quote.bank_account
        if self.owner_id is None:
            self.owner_id = contract.owner_id

    def clean(self) -> None:
        self.fill_defaults()
        super().clean()
        errors: dict[str, Any] = {}
        if self.amount_amount is not None and self.amount_amount <= 0:
            errors["amount_amount"] = _("An invoice's amount must be more than zero.")
        if self.contract_id and self.contract.status not in SIGNED_STATUSES:
            errors["contract"] = _("Choose a signed contract (active, completed or terminated).")
        if self.contract_id and self.amount_currency != self.contract.amount_currency:
            errors["amount_currency"] = _("Use the contract's currency (%(currency)s).") % {
                "currency": self.contract.amount_currency
            }
        if not self.title:
            errors["title"] = _("Enter the invoice title (the buyer's name).")
        if not self.tax_id and "tax_id" not in errors:
            errors["tax_id"] = _("Enter the buyer's taxpayer ID.")
        if self.kind == InvoiceKind.SPECIAL:
            required = {
                "bank_name": _("A special VAT invoice needs the buyer's bank."),
                "bank_account": _("A special VAT invoice needs the buyer's bank account."),
                "address": _("A special VAT invoice needs the buyer's address."),
                "phone": _("A special VAT invoice needs the buyer's phone."),
            }
            for name, message in required.items():
                if not getattr(self, name):
                    errors[name] = message
        if errors:
            raise ValidationError(errors)

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        self.fill_defaults()
        if creating and not self.number:
            from guanxi.framework.numbering import next_number

            self.number = next_number(
                INVOICE_NUMBERING_KEY, INVOICE_NUMBER_PATTERN, day=self.requested_on, model=InvoiceRequest
            )
