"""Payment plans (回款计划): a contract's numbered installments (第1期, 第2期 …).

An installment's ``status`` is never typed: ``before_write`` derives it on every save from the
amount paid by confirmed receipts (``paid_amount``, kept by
``guanxi.receivables.services.refresh_installments``), the due date and the void stamp —
待回款 (pending), 部分回款 (partial), 已回款 (paid), 逾期 (overdue: due and not fully paid), 作废
(void). It is stored so lists and the aging report filter and sum it in SQL; the nightly job
re-saves the installments that fell due (``mark_overdue``). ``outstanding_base`` is what is still
open in the company currency (at the rate of the installment's base amount), for the aging sums.

An installment takes its access from its contract (``access_parent``): whoever may see (change)
the contract sees (edits) its plan.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.choices import ChoiceListField
from guanxi.framework.models import ChangeLoggedModel
from guanxi.framework.money import Money
from guanxi.framework.moneyfields import MoneyField
from guanxi.receivables.choices import METHOD_LIST, method_choices

MAX_INSTALLMENTS = 120
MAX_REMIND_DAYS = 90


class InstallmentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("installment status", "Pending")
    PARTIAL = "partial", pgettext_lazy("installment status", "Partially paid")
    PAID = "paid", pgettext_lazy("installment status", "Paid")
    OVERDUE = "overdue", pgettext_lazy("installment status", "Overdue")
    VOID = "void", pgettext_lazy("installment status", "Void")


#: Installments still expecting money (the aging report and the reminders read these).
OPEN_STATUSES = (InstallmentStatus.PENDING, InstallmentStatus.PARTIAL, InstallmentStatus.OVERDUE)


class Installment(ChangeLoggedModel):
    """One installment of a contract's payment plan: due date, amount, method, reminder."""

    access_parent = "contract"
    changelog_parent = "contract"
    # Set on an instance by the receivables services (not columns): the write comes from the
    # receipts or a nightly job (the write guard lets it through), judged as of ``status_day``.
    by_receipts: bool = False
    status_day: datetime.date | None = None

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="installments",
    )
    sequence = models.PositiveSmallIntegerField(_("installment no."), editable=False)
    due_on = models.DateField(_("due date"))
    amount = MoneyField(_("amount"), date_field="due_on")
    amount_amount: Decimal | None
    amount_currency: str
    amount_base: Decimal | None
    method = ChoiceListField(
        _("payment method"), max_length=30, choices=method_choices, blank=True, list_name=METHOD_LIST
    )
    remind_days = models.PositiveSmallIntegerField(_("remind (days before)"), default=7)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Derived: written by the receivables services and before_write, never typed.
    paid_amount = models.DecimalField(
        _("paid"), max_digits=18, decimal_places=2, default=Decimal(0), editable=False
    )
    outstanding_base = models.DecimalField(
        _("outstanding (company currency)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal(0),
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstallmentStatus.choices,
        default=InstallmentStatus.PENDING,
        editable=False,
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    # The due date each reminder was last sent for: the nightly job sends each kind once.
    reminded_due_for = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="installment_contract_sequence")
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="installment_status_due")]

    def __str__(self) -> str:
        return str(_("Installment %(n)s") % {"n": self.sequence or "?"})

    @property
    def remaining(self) -> Decimal:
        """What is still to be paid, in the installment's currency (0 for a void one)."""
        if self.status == InstallmentStatus.VOID or self.amount_amount is None:
            return Decimal(0)
        return max(self.amount_amount - self.paid_amount, Decimal(0))

    @property
    def paid_money(self) -> Money:
        """``paid_amount`` with its currency, for pages (``{{ row.paid_money|money }}``)."""
        return Money(self.paid_amount or 0, self.amount_currency)

    @property
    def remaining_money(self) -> Money:
        """``remaining`` with its currency, for pages (``{{ row.remaining_money|money }}``)."""
        return Money(self.remaining, self.amount_currency)

    def days_overdue(self, today: datetime.date | None = None) -> int:
        return max(((today or timezone.localdate()) - self.due_on).days, 0)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        contract = self.contract if self.contract_id else None
        if self.amount_amount is not None and self.amount_amount <= 0:
            errors["amount_amount"] = _("An installment's amount must be more than zero.")
        if contract is not None and self.amount_currency != contract.amount_currency:
            errors["amount_currency"] = _("Use the contract's currency (%(currency)s).") % {
                "currency": contract.amount_currency
            }
        if self.remind_days is not None and self.remind_days > MAX_REMIND_DAYS:
            errors["remind_days"] = _("Remind at most %(n)d days before the due date.") % {
                "n": MAX_REMIND_DAYS
            }
        if self.amount_amount is not None and self.amount_amount < self.paid_amount:
            errors["amount_amount"] = _(
                "%(paid)s was already received for this installment: the amount cannot be less."
            ) % {"paid": self.paid_amount}
        if not errors and contract is not None and self.amount_amount is not None:
            check_plan_total(contract, self.amount_amount, exclude=self.pk)
        if errors:
            raise ValidationError(errors)

    def before_write(self, changed: set[str], creating: bool) -> None:
        super().before_write(changed, creating)
        if creating and not self.sequence:
            last = Installment.objects.filter(contract_id=self.contract_id).aggregate(
                n=models.Max("sequence")
            )
            self.sequence = (last["n"] or 0) + 1
        # ``status_day``: the day a nightly job (or a test) judges by; today otherwise.
        self.refresh_status(getattr(self, "status_day", None))

    def refresh_status(self, today: datetime.date | None = None) -> None:
        """Derive ``status`` and ``outstanding_base`` from the paid amount, the date and the void
        stamp (called on every save)."""
        today = today or timezone.localdate()
        amount = self.amount_amount or Decimal(0)
        paid = self.paid_amount or Decimal(0)
        if self.voided_at is not None:
            self.status = InstallmentStatus.VOID
        elif amount and paid >= amount:
            self.status = InstallmentStatus.PAID
        elif self.due_on and self.due_on < today:
            self.status = InstallmentStatus.OVERDUE
        elif paid > 0:
            self.status = InstallmentStatus.PARTIAL
        else:
            self.status = InstallmentStatus.PENDING
        open_part = self.remaining if self.status != InstallmentStatus.VOID else Decimal(0)
        if not open_part:
            self.outstanding_base = Decimal(0)
            return
        # The base amount is written by the field's pre_save, after this hook: convert here.
        from guanxi.framework.money import Money, company_currency, to_company_currency

        if self.amount_currency == company_currency():
            self.outstanding_base = open_part
        else:
            base = to_company_currency(Money(open_part, self.amount_currency), self.due_on)
            self.outstanding_base = base.amount if base is not None else Decimal(0)


def check_plan_total(contract: Any, amount: Decimal, *, exclude: int | None = None) -> None:
    """Refuse (at ``amount_amount``) when the contract's live installments plus ``amount`` add up
    to more than the contract amount."""
    from guanxi.framework.money import Money

    others = Installment.objects.filter(contract=contract).exclude(status=InstallmentStatus.VOID)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    planned = others.aggregate(total=Sum("amount_amount"))["total"] or Decimal(0)
    if contract.amount_amount is not None and planned + amount > contract.amount_amount:
        raise ValidationError(
            {
                "amount_amount": _(
                    "The installments would add up to %(planned)s, more than the contract amount %(amount)s."
                )
                % {
                    "planned": Money(planned + amount, contract.amount_currency).format(),
                    "amount": Money(contract.amount_amount, contract.amount_currency).format(),
                }
            }
        )
