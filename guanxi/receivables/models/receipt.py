"""Receipts (实际回款): money a customer paid on a contract, and the installments it pays.

Statuses: draft → pending approval → confirmed, or rejected. *Submit* asks for *confirm*
(``needs_approval``): the approval engine (flow in ``guanxi/receivables/approvals.py``) files a
request, or confirms at once when no flow matches. Only **confirmed** receipts count: their
allocation rows make the installments' paid amounts (``services.refresh_installments``). A
receipt without allocation rows is allocated to the open installments oldest-due first when it is
confirmed. A request rejected by the engine leaves the receipt pending and unlocked: *withdraw*
returns it to draft, *reject* (verb ``approve``) closes it.

Reversal (冲销): a confirmed receipt recorded by mistake (wrong amount or contract, a bounced
transfer) is *reversed* with a required reason (verb ``reverse``, finance and administrators;
through the approval engine when an administrator sets up a flow for it, at once otherwise). The
row stays, read-only, with who, when and why; it no longer counts anywhere (every total reads
confirmed receipts only), its installments are recomputed and it frees the contract amount.
Refused while the contract's invoice requests would then claim more than its confirmed receipts.

Amounts: a receipt is in its contract's currency; the receipts of a contract that are not
rejected can never add up to more than the contract amount unless the writer holds the
``overpay`` verb (``guards.py``, under a lock on the contract row, so two finance users
recording at once cannot together exceed it).
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
from guanxi.core.choices import ChoiceListField
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext, then
from guanxi.receivables.choices import METHOD_LIST, method_choices

RECEIPT_NUMBER_PATTERN = "HK-{YYYY}{MM}-{seq:4}"
RECEIPT_NUMBERING_KEY = "receivables.receipt"


class ReceiptStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("receipt status", "Draft")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("receipt status", "Pending approval")
    CONFIRMED = "confirmed", pgettext_lazy("receipt status", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("receipt status", "Rejected")
    REVERSED = "reversed", pgettext_lazy("receipt status", "Reversed")


#: Receipts that hold part of the contract amount (a rejected or reversed one frees it).
LIVE_RECEIPT_STATUSES = (ReceiptStatus.DRAFT, ReceiptStatus.PENDING_APPROVAL, ReceiptStatus.CONFIRMED)


def _stamp_confirmed(ctx: TransitionContext) -> None:
    ctx.obj.confirmed_at = timezone.now()


def _apply_to_plan(ctx: TransitionContext) -> None:
    from guanxi.receivables.services import apply_confirmed_receipt

    apply_confirmed_receipt(ctx.obj)


def _invoices_still_covered(ctx: TransitionContext) -> str | None:
    from guanxi.receivables.services import reversal_refusal

    return reversal_refusal(ctx.obj)


def _reversal_unavailable(receipt: Receipt) -> str:
    if receipt.status == ReceiptStatus.REVERSED:
        return str(_("This receipt is already reversed."))
    return str(_("Only a confirmed receipt can be reversed."))


def _stamp_reversed(ctx: TransitionContext) -> None:
    from guanxi.receivables.services import stamp_reversal

    stamp_reversal(ctx.obj, ctx.actor)


def _take_off_plan(ctx: TransitionContext) -> None:
    from guanxi.receivables.services import refresh_installments

    refresh_installments(ctx.obj.contract_id)


class Receipt(PrimaryModel):
    """Money received on a contract: date, amount, method, payer, reference and allocations."""

    number = models.CharField(_("number"), max_length=40, editable=False)
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="receipts"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="receipts",
        editable=False,
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    amount = MoneyField(_("amount"), date_field="received_on")
    amount_amount: Decimal | None
    amount_currency: str
    amount_base: Decimal | None
    method = ChoiceListField(
        _("payment method"),
        max_length=30,
        choices=method_choices,
        default="bank_transfer",
        list_name=METHOD_LIST,
    )
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    reference = models.CharField(_("reference no."), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReceiptStatus.choices, default=ReceiptStatus.DRAFT
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    reversal_reason = models.CharField(_("reversal reason"), max_length=500, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True, editable=False)
    reversed_by = models.ForeignKey(
        "users.User",
        verbose_name=_("reversed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="submit",
                source=[ReceiptStatus.DRAFT],
                target=ReceiptStatus.PENDING_APPROVAL,
                label=pgettext_lazy("receipt", "Submit for confirmation"),
                after=[then("confirm")],
            ),
            Transition(
                name="confirm",
                source=[ReceiptStatus.PENDING_APPROVAL],
                target=ReceiptStatus.CONFIRMED,
                label=pgettext_lazy("receipt", "Confirm"),
                needs_approval=True,
                direct=False,  # asked for by *submit*; applied by the approval engine
                effects=[_stamp_confirmed],
                after=[_apply_to_plan],
            ),
            Transition(
                name="withdraw",
                source=[ReceiptStatus.PENDING_APPROVAL],
                target=ReceiptStatus.DRAFT,
                label=pgettext_lazy("receipt", "Withdraw"),
            ),
            Transition(
                name="reject",
                source=[ReceiptStatus.PENDING_APPROVAL],
                target=ReceiptStatus.REJECTED,
                label=pgettext_lazy("receipt", "Reject"),
                verb="approve",
                inputs={
                    "reason": Input(
                        field="rejection_reason",
                        label=_("Reason"),
                        message=_("Say why the receipt is rejected."),
                    )
                },
            ),
            Transition(
                name="reverse",
                source=[ReceiptStatus.CONFIRMED],
                target=ReceiptStatus.REVERSED,
                label=pgettext_lazy("receipt", "Reverse"),
                verb="reverse",
                needs_approval=True,  # applies at once unless an administrator sets up a flow
                confirm=True,
                guards=[_invoices_still_covered],
                inputs={
                    "reason": Input(
                        field="reversal_reason",
                        label=_("Reason"),
                        message=_("Say why the receipt is reversed."),
                    )
                },
                refusal=_reversal_unavailable,
                effects=[_stamp_reversed],
                after=[_take_off_plan],
            ),
        ],
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-pk"]
        permissions = [
            ("approve_receipt", _("Approve")),
            ("overpay_receipt", _("Record more than the contract amount")),
            ("reverse_receipt", _("Reverse a confirmed receipt")),
        ]
        constraints = [models.UniqueConstraint(fields=["number"], name="receipt_number")]
        indexes = [
            models.Index(fields=["contract", "status"], name="receipt_contract_status"),
            models.Index(fields=["status", "received_on"], name="receipt_status_received"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("New receipt"))

    @property
    def is_editable(self) -> bool:
        return self.status == ReceiptStatus.DRAFT

    def fill_defaults(self) -> None:
        """The customer and (for a new receipt without one) the owner follow the contract: a
        receipt belongs to the rep paid on it, whoever records it (``clean`` runs this before the
        write path would give the row to its writer)."""
        if self.contract_id:
            contract = self.contract
            self.customer_id = contract.customer_id
            if self._state.adding and self.owner_id is None:
                self.owner_id = contract.owner_id

    def clean(self) -> None:
        self.fill_defaults()
        super().clean()
        errors: dict[str, Any] = {}
        if self.amount_amount is not None and self.amount_amount <= 0:
            errors["amount_amount"] = _("A receipt's amount must be more than zero.")
        if self.contract_id and self.contract.status not in SIGNED_STATUSES:
            errors["contract"] = _("Choose a signed contract (active, completed or terminated).")
        if self.contract_id and self.amount_currency != self.contract.amount_currency:
            errors["amount_currency"] = _("Use the contract's currency (%(currency)s).") % {
                "currency": self.contract.amount_currency
            }
        if errors:
            raise ValidationError(errors)

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        self.fill_defaults()
        if creating and not self.number:
            from guanxi.framework.numbering import next_number

            self.number = next_number(
                RECEIPT_NUMBERING_KEY, RECEIPT_NUMBER_PATTERN, day=self.received_on, model=Receipt
            )


class ReceiptAllocation(ChangeLoggedModel):
    """The part of a receipt that pays one installment (in the contract's currency)."""

    access_parent = "receipt"
    changelog_parent = "receipt"
    # Set on an instance when a confirmation allocates the receipt by itself (not a column).
    by_confirmation: bool = False

    receipt = models.ForeignKey(
        Receipt, verbose_name=_("receipt"), on_delete=models.CASCADE, related_name="allocations"
    )
    installment = models.ForeignKey(
        "receivables.Installment",
        verbose_name=_("installment"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("receipt allocation")
        verbose_name_plural = _("receipt allocations")
        ordering = ["installment__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "installment"], name="allocation_receipt_installment")
        ]

    def __str__(self) -> str:
        return f"{self.receipt} → {self.installment}"
