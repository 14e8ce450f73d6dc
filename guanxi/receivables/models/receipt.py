"""Receipts (实际回款): money a customer paid on a contract, and the installments it pays.

Statuses: draft → pending approval → confirmed, or rejected. *Submit* asks for *confirm*
(``needs_approval``): the approval engine (flow in ``guanxi/receivables/approvals.py``) files a
request, or confirms at once when no flow matches. Only **confirmed** receipts count: their
allocation rows make the installments' paid amounts (``services.refresh_installments``). A
receipt without allocation rows is allocated to the open installments oldest-due first when it is
confirmed. A request rejected by the engine leaves the receipt pending and unlocked: *withdraw*
returns it to draft, *reject* (verb ``approve``) closes it.

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


#: Receipts that hold part of the contract amount (a rejected one frees it).
LIVE_RECEIPT_STATUSES = (ReceiptStatus.DRAFT, ReceiptStatus.PENDING_APPROVAL, ReceiptStatus.CONFIRMED)


def _stamp_confirmed(ctx: TransitionContext) -> None:
    ctx.obj.confirmed_at = timezone.now()


def _apply_to_plan(ctx: TransitionContext) -> None:
    from guanxi.receivables.services import apply_confirmed_receipt

    apply_confirmed_receipt(ctx.obj)


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
        ],
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-pk"]
        permissions = [
            ("approve_receipt", _("Approve")),
            ("overpay_receipt", _("Record more than the contract amount")),
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
