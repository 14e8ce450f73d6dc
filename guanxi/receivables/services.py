"""Receivables use cases: the payment plan (add, edit, split, void), receipts (allocation, what
confirmation and reversal do to the plan), the nightly overdue marking and the due-date reminders.

Every write goes through ``guanxi.framework.write``; statuses of receipts and invoice requests
through ``transition``. An installment's status is derived (``Installment.refresh_status``):
``refresh_installments`` rewrites the paid amounts from the confirmed receipts' allocations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.framework.money import Money, quantum, to_decimal
from guanxi.framework.write import bulk_create_objects, delete_object, save_object
from guanxi.receivables.guards import lock_contract
from guanxi.receivables.models import (
    MAX_INSTALLMENTS,
    MAX_REMIND_DAYS,
    OPEN_STATUSES,
    Installment,
    InstallmentStatus,
    Receipt,
    ReceiptAllocation,
    ReceiptStatus,
)

# -- the plan -------------------------------------------------------------------------------------


def _changeable_contract(contract: Any, actor: Any) -> Any:
    """``contract`` re-read through ``restrict(actor, "change")`` and locked (PermissionDenied)."""
    from guanxi.contracts.models import Contract

    rows = Contract.objects.all() if actor is None else Contract.objects.restrict(actor, "change")
    locked = rows.select_for_update().filter(pk=contract.pk).first()
    if locked is None:
        raise PermissionDenied(_("You may not change this contract's payment plan."))
    return locked


def add_installment(
    contract: Any,
    *,
    actor: Any,
    due_on: datetime.date,
    amount: Any,
    method: str = "",
    remind_days: int = 7,
    note: str = "",
) -> Installment:
    """Add the next installment (第N期) to ``contract``'s plan; refused past the contract amount."""
    with transaction.atomic():
        locked = _changeable_contract(contract, actor)
        if locked.installments.count() >= MAX_INSTALLMENTS:
            raise ValidationError(
                {"__all__": [_("A plan has at most %(n)d installments.") % {"n": MAX_INSTALLMENTS}]}
            )
        installment = Installment(
            contract=locked,
            due_on=due_on,
            amount_amount=_amount(amount),
            amount_currency=locked.amount_currency,
            method=method or "",
            remind_days=remind_days,
            note=note or "",
        )
        installment.full_clean(exclude=["sequence"])
        save_object(installment, actor=actor, check_visible=False)
    return installment


def update_installment(installment: Installment, *, actor: Any, **fields: Any) -> Installment:
    """Change an installment's date, amount, method, reminder or note."""
    with transaction.atomic():
        locked = _changeable_contract(installment.contract, actor)
        row = Installment.objects.select_for_update().get(pk=installment.pk, contract=locked)
        for name, value in fields.items():
            setattr(
                row,
                "amount_amount" if name == "amount" else name,
                _amount(value) if name == "amount" else value,
            )
        row.full_clean(exclude=["sequence"])
        save_object(row, actor=actor, check_visible=False)
    return row


def delete_installment(installment: Installment, *, actor: Any) -> None:
    """Remove an installment nothing was paid for (renumbering the later ones is not done: 期数
    stay as the customer was told)."""
    with transaction.atomic():
        _changeable_contract(installment.contract, actor)
        delete_object(Installment.objects.get(pk=installment.pk), actor=actor)


def void_installment(installment: Installment, *, actor: Any) -> Installment:
    """Mark an installment 作废: it no longer counts in the plan, the aging or the reminders."""
    with transaction.atomic():
        _changeable_contract(installment.contract, actor)
        row = Installment.objects.select_for_update().get(pk=installment.pk)
        if row.status == InstallmentStatus.VOID:
            return row
        if row.status == InstallmentStatus.PAID:
            raise ValidationError({"__all__": [_("A paid installment cannot be voided.")]})
        row.voided_at = timezone.now()
        save_object(row, actor=actor, check_visible=False)
    return row


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Money):
        return value.amount
    try:
        return to_decimal(value)
    except ValueError:
        raise ValidationError({"amount_amount": [_("Enter a number.")]}) from None


def equal_parts(total: Decimal, count: int, currency: str) -> list[Decimal]:
    """``total`` in ``count`` parts, exact to the minor unit: every part the rounded-down share,
    the last one the remainder (¥100 in 3: 33.33 + 33.33 + 33.34)."""
    step = quantum(currency)
    share = (total / count).quantize(step, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` ``months`` later, on the last day of the month when it is shorter (31 Jan → 28 Feb)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_plan(
    contract: Any,
    *,
    actor: Any,
    count: int,
    first_due_on: datetime.date,
    every_months: int = 1,
    method: str = "",
    remind_days: int = 7,
) -> list[Installment]:
    """Replace the plan with ``count`` equal installments of what is not yet planned-and-paid,
    due every ``every_months`` months from ``first_due_on``.

    Installments that received money (or are void) stay; the others are replaced, and the new
    ones share the contract amount less the kept ones."""
    if not 1 <= count <= MAX_INSTALLMENTS:
        raise ValidationError({"count": [_("Split into 1 to %(n)d installments.") % {"n": MAX_INSTALLMENTS}]})
    if not 0 <= every_months <= 24:
        raise ValidationError({"every_months": [_("Space installments 0 to 24 months apart.")]})
    with transaction.atomic():
        locked = _changeable_contract(contract, actor)
        if locked.amount_amount is None:
            raise ValidationError({"count": [_("Enter the contract amount first.")]})
        kept: list[Installment] = []
        replaced: list[Installment] = []
        for row in Installment.objects.filter(contract=locked).order_by("sequence"):
            touched = (
                row.status == InstallmentStatus.VOID or bool(row.paid_amount) or row.allocations.exists()
            )
            (kept if touched else replaced).append(row)
        for row in replaced:
            delete_object(row, actor=actor)
        planned = sum((k.amount_amount or Decimal(0)) for k in kept if k.status != InstallmentStatus.VOID)
        left = locked.amount_amount - planned
        if left <= 0:
            raise ValidationError({"count": [_("The whole contract amount is already planned.")]})
        start = max((k.sequence for k in kept), default=0)
        rows = [
            Installment(
                contract=locked,
                sequence=start + n + 1,
                due_on=add_months(first_due_on, n * every_months),
                amount_amount=part,
                amount_currency=locked.amount_currency,
                method=method or "",
                remind_days=remind_days,
            )
            for n, part in enumerate(equal_parts(left, count, locked.amount_currency))
        ]
        for row in rows:
            row.refresh_status()
        bulk_create_objects(Installment, rows, actor=actor, check_visible=False)
    return rows


# -- receipts -------------------------------------------------------------------------------------


@dataclass
class AllocationInput:
    installment: Installment
    amount: Any


def open_installments(contract_id: int) -> list[Installment]:
    """The contract's installments still expecting money, oldest due first."""
    return list(
        Installment.objects.filter(contract_id=contract_id, status__in=OPEN_STATUSES).order_by(
            "due_on", "sequence"
        )
    )


def _claimed_by_others(receipt: Receipt) -> dict[int, Decimal]:
    """Per installment, what the contract's other live receipts already allocate to it."""
    rows = (
        ReceiptAllocation.objects.filter(
            receipt__contract_id=receipt.contract_id,
            receipt__status__in=(
                ReceiptStatus.DRAFT,
                ReceiptStatus.PENDING_APPROVAL,
                ReceiptStatus.CONFIRMED,
            ),
        )
        .exclude(receipt=receipt)
        .values("installment")
        .annotate(total=Sum("amount"))
    )
    return {row["installment"]: row["total"] for row in rows}


def default_allocation(receipt: Receipt) -> list[AllocationInput]:
    """The receipt's amount spread over the open installments oldest-due first (what other
    receipts already allocate is left to them)."""
    claimed = _claimed_by_others(receipt)
    left = receipt.amount_amount or Decimal(0)
    out = []
    for installment in open_installments(receipt.contract_id):
        if left <= 0:
            break
        room = (installment.amount_amount or Decimal(0)) - claimed.get(installment.pk, Decimal(0))
        if room <= 0:
            continue
        part = min(room, left)
        out.append(AllocationInput(installment, part))
        left -= part
    return out


def allocate_receipt(
    receipt: Receipt, allocations: list[AllocationInput] | None, *, actor: Any, by_confirmation: bool = False
) -> list[ReceiptAllocation]:
    """Set which installments a draft receipt pays (None: oldest-due first), all or nothing.

    Errors are keyed ``"<n>.amount"`` / ``"<n>.installment"`` (n from 1) or ``allocations``."""
    if actor is not None and not Receipt.objects.restrict(actor, "change").filter(pk=receipt.pk).exists():
        raise PermissionDenied(_("You may not change this receipt."))
    with transaction.atomic():
        lock_contract(receipt.contract_id)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != ReceiptStatus.DRAFT and not by_confirmation:
            raise ValidationError({"allocations": [_("Only a draft receipt's allocation can be changed.")]})
        wanted = default_allocation(receipt) if allocations is None else allocations
        claimed = _claimed_by_others(receipt)
        errors: dict[str, list[str]] = {}
        total = Decimal(0)
        seen: set[int] = set()
        for n, row in enumerate(wanted, start=1):
            inst = row.installment
            try:
                amount = to_decimal(row.amount)
            except ValueError:
                errors[f"{n}.amount"] = [_("Enter a number.")]
                continue
            if inst.contract_id != receipt.contract_id:
                errors[f"{n}.installment"] = [_("Choose an installment of the receipt's contract.")]
            elif inst.status == InstallmentStatus.VOID:
                errors[f"{n}.installment"] = [_("A void installment cannot be paid.")]
            elif inst.pk in seen:
                errors[f"{n}.installment"] = [_("Each installment once.")]
            elif amount <= 0:
                errors[f"{n}.amount"] = [_("Enter an amount more than zero.")]
            else:
                room = (inst.amount_amount or Decimal(0)) - claimed.get(inst.pk, Decimal(0))
                if amount > room:
                    errors[f"{n}.amount"] = [
                        _("At most %(room)s of %(installment)s is still open.")
                        % {
                            "room": Money(max(room, Decimal(0)), receipt.amount_currency).format(),
                            "installment": inst,
                        }
                    ]
            seen.add(inst.pk)
            total += amount
        if not errors and total > (receipt.amount_amount or Decimal(0)):
            errors["allocations"] = [
                _("The allocations add up to %(total)s, more than the receipt's %(amount)s.")
                % {
                    "total": Money(total, receipt.amount_currency).format(),
                    "amount": Money(receipt.amount_amount or 0, receipt.amount_currency).format(),
                }
            ]
        if errors:
            raise ValidationError(errors)
        for old in list(receipt.allocations.all()):
            old.by_confirmation = by_confirmation
            delete_object(old, actor=actor)
        rows = []
        for row in wanted:
            allocation = ReceiptAllocation(
                receipt=receipt, installment=row.installment, amount=to_decimal(row.amount)
            )
            allocation.by_confirmation = by_confirmation
            rows.append(allocation)
        bulk_create_objects(ReceiptAllocation, rows, actor=actor, check_visible=False)
    return rows


def apply_confirmed_receipt(receipt: Receipt) -> None:
    """After confirmation (in its transaction): a receipt nobody allocated pays the open
    installments oldest-due first; the contract's installments get their paid amounts."""
    if not receipt.allocations.exists():
        allocate_receipt(receipt, None, actor=None, by_confirmation=True)
    refresh_installments(receipt.contract_id)


def reversal_refusal(receipt: Receipt) -> str | None:
    """Why ``receipt`` may not be reversed now, or None: the contract's live invoice requests may
    not claim more than its confirmed receipts would then add up to (the invoicing cap of
    ``guards.invoiceable``; no limit when the company invoices before payment)."""
    from guanxi.receivables.guards import invoiceable
    from guanxi.receivables.models import ReceivableSettings

    if ReceivableSettings.current().allow_invoice_before_payment:
        return None
    ceiling, claimed = invoiceable(receipt.contract)
    left = ceiling - (receipt.amount_amount or Decimal(0))
    if claimed <= left:
        return None
    return _(
        "Invoice requests of contract %(number)s claim %(claimed)s, more than the %(left)s its "
        "receipts would add up to without this one: cancel or reject them first."
    ) % {
        "number": receipt.contract.number,
        "claimed": Money(claimed, receipt.amount_currency).format(),
        "left": Money(max(left, Decimal(0)), receipt.amount_currency).format(),
    }


def stamp_reversal(receipt: Receipt, actor: Any) -> None:
    """Who reversed ``receipt`` and when (a transition effect, before its save). Applied by the
    approval engine the actor is None: the one who asked for the reversal is who reversed it."""
    receipt.reversed_at = timezone.now()
    if actor is None:
        from django.contrib.contenttypes.models import ContentType

        from guanxi.approvals.models import ApprovalRequest

        request = (
            ApprovalRequest.objects.filter(
                content_type=ContentType.objects.get_for_model(Receipt),
                object_id=receipt.pk,
                transition="reverse",
            )
            .order_by("-pk")
            .first()
        )
        actor = request.submitter if request is not None else None
    receipt.reversed_by = actor if getattr(actor, "pk", None) else None


def refresh_installments(contract_id: int, *, today: datetime.date | None = None) -> int:
    """Rewrite the paid amounts (confirmed receipts' allocations) and statuses of one contract's
    installments; returns how many changed. Safe to run any number of times."""
    paid = dict(
        ReceiptAllocation.objects.filter(
            installment__contract_id=contract_id, receipt__status=ReceiptStatus.CONFIRMED
        )
        .values("installment")
        .annotate(total=Sum("amount"))
        .values_list("installment", "total")
    )
    changed = 0
    for row in Installment.objects.filter(contract_id=contract_id).select_for_update():
        before = (row.paid_amount, row.status, row.outstanding_base)
        row.paid_amount = paid.get(row.pk, Decimal(0))
        row.status_day = today
        row.refresh_status(today)
        if (row.paid_amount, row.status, row.outstanding_base) != before:
            row.by_receipts = True
            save_object(row, actor=None, check_visible=False)
            changed += 1
    return changed


# -- the nightly jobs -----------------------------------------------------------------------------


def mark_overdue(*, today: datetime.date | None = None) -> int:
    """Installments that fell due unpaid become 逾期 (the status is stored for SQL filtering)."""
    today = today or timezone.localdate()
    due = Installment.objects.filter(
        status__in=(InstallmentStatus.PENDING, InstallmentStatus.PARTIAL), due_on__lt=today
    )
    count = 0
    for row in due.iterator():
        with transaction.atomic():
            row.status_day = today
            row.refresh_status(today)
            row.by_receipts = True
            save_object(row, actor=None, check_visible=False)
        count += 1
    return count


def remind_installments(*, today: datetime.date | None = None) -> dict[str, int]:
    """Tell contract owners of installments due within their reminder days, and of overdue ones
    (each kind once per installment and due date: idempotent)."""
    from guanxi.framework.i18n import deferred
    from guanxi.framework.notify import notify

    today = today or timezone.localdate()
    sent = {"due": 0, "overdue": 0}
    rows = (
        Installment.objects.filter(
            status__in=OPEN_STATUSES, due_on__lte=today + datetime.timedelta(days=MAX_REMIND_DAYS)
        )
        .exclude(due_on__lt=today, reminded_overdue_for=F("due_on"))
        .exclude(due_on__gte=today, reminded_due_for=F("due_on"))
        .exclude(contract__owner=None)
        .select_related("contract__owner")
        .order_by("due_on", "pk")
    )
    for row in rows.iterator():
        contract = row.contract
        kind = None
        if row.due_on < today and row.reminded_overdue_for != row.due_on:
            kind = "overdue"
            row.reminded_overdue_for = row.due_on
            title = deferred(
                gettext_noop("Overdue: installment %(n)s of contract %(number)s was due on %(date)s"),
                n=row.sequence,
                number=contract.number,
                date=row.due_on.isoformat(),
            )
        elif (
            today <= row.due_on <= today + datetime.timedelta(days=row.remind_days)
            and row.reminded_due_for != row.due_on
        ):
            kind = "due"
            row.reminded_due_for = row.due_on
            title = deferred(
                gettext_noop("Installment %(n)s of contract %(number)s is due on %(date)s"),
                n=row.sequence,
                number=contract.number,
                date=row.due_on.isoformat(),
            )
        if kind is None:
            continue
        with transaction.atomic():
            row.by_receipts = True
            row.status_day = today
            save_object(row, actor=None, check_visible=False)
            level = "warning" if kind == "overdue" else "info"
            transaction.on_commit(
                partial(notify, contract.owner, title, url=contract.get_absolute_url(), level=level)
            )
        sent[kind] += 1
    return sent


# -- settings -------------------------------------------------------------------------------------


def update_settings(*, actor: Any, allow_invoice_before_payment: bool) -> Any:
    """Set the invoicing rule (administrators: ``change`` on receivables settings)."""
    from guanxi.framework.access import can
    from guanxi.receivables.models import ReceivableSettings

    if actor is not None and not can(actor, "change", ReceivableSettings):
        raise PermissionDenied(_("Only administrators may change the receivables settings."))
    with transaction.atomic():
        row = ReceivableSettings.objects.select_for_update().filter(pk=1).first() or ReceivableSettings(pk=1)
        row.allow_invoice_before_payment = allow_invoice_before_payment
        save_object(row, actor=actor, check_visible=False)
    return row
