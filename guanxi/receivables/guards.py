"""Write guards of the receivables: what may change when, and the amount caps.

* A receipt or invoice request changes only as a draft (an owner transfer moves any, a merge
  re-points any to the customer kept); its status only through ``transition()``.
* The caps hold on every write path (pages, API, bulk edit, import, services) because they are
  checked here, inside the write's transaction, after locking the contract row
  (``select_for_update``): two finance users recording receipts on one contract at once are
  serialised, and the second sees the first's receipt.
  - the live receipts of a contract (draft, pending, confirmed) never add up to more than the
    contract amount, unless the writer holds ``overpay`` on receipts;
  - the live invoice requests never add up to more than the confirmed receipts (or the contract
    amount when ``ReceivableSettings.allow_invoice_before_payment``).
* A void installment is not edited; allocations change only on a draft receipt (or when the
  confirmation allocates one by itself).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.money import Money
from guanxi.framework.write import REPOINT, register_write_guard
from guanxi.receivables.models import (
    LIVE_INVOICE_STATUSES,
    LIVE_RECEIPT_STATUSES,
    Installment,
    InstallmentStatus,
    InvoiceRequest,
    InvoiceStatus,
    Receipt,
    ReceiptAllocation,
    ReceiptStatus,
    ReceivableSettings,
)

_OWNERSHIP = {"owner", "department", "updated_at", "updated_by"}


def _loaded(instance: Any, name: str) -> Any:
    loaded = getattr(instance, "_loaded_values", None) or {}
    return loaded.get(name, getattr(instance, name))


def lock_contract(contract_id: int) -> Any:
    """The contract row, locked until the transaction ends (serialises writes on its money)."""
    from guanxi.contracts.models import Contract

    return Contract.objects.select_for_update().get(pk=contract_id)


def _format(amount: Decimal, currency: str) -> str:
    return Money(amount, currency).format()


def receipt_cap_refusals(receipts: list[Receipt], actor: Any) -> dict[int, ValidationError]:
    """The cap on live receipts, for many receipts at once: ``{position: refusal}``.

    Locks the contracts involved (in key order, so two writers cannot deadlock), reads what their
    other live receipts already hold in one ``GROUP BY``, then adds the given receipts in order: a
    batch of receipts on one contract counts its own earlier rows too, which a row-by-row check
    could not see before they are inserted."""
    from guanxi.contracts.models import Contract

    rows = [(i, r) for i, r in enumerate(receipts) if r.amount_amount is not None and r.contract_id]
    if not rows:
        return {}
    contract_ids = sorted({r.contract_id for _i, r in rows})
    own = [r.pk for _i, r in rows if r.pk]
    contracts: dict[int, Any] = {}
    recorded: dict[int, Decimal] = {}
    for start in range(0, len(contract_ids), 2000):
        chunk = contract_ids[start : start + 2000]
        locked = Contract.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        contracts.update((c.pk, c) for c in locked.only("pk", "number", "amount_amount", "amount_currency"))
        others = Receipt.objects.filter(contract_id__in=chunk, status__in=LIVE_RECEIPT_STATUSES)
        if own:
            others = others.exclude(pk__in=own)
        recorded.update(
            others.order_by()
            .values("contract_id")
            .annotate(total=Sum("amount_amount"))
            .values_list("contract_id", "total")
        )
    may_overpay: bool | None = None
    refused: dict[int, ValidationError] = {}
    for position, receipt in rows:
        contract = contracts.get(receipt.contract_id)
        if contract is None or contract.amount_amount is None:
            continue
        so_far = recorded.get(contract.pk) or Decimal(0)
        amount = receipt.amount_amount or Decimal(0)
        if so_far + amount > contract.amount_amount:
            if may_overpay is None:
                may_overpay = actor is not None and can(actor, "overpay", Receipt)
            if not may_overpay:
                refused[position] = _over_the_cap(contract, so_far, amount)
                continue
        recorded[contract.pk] = so_far + amount
    return refused


def _over_the_cap(contract: Any, recorded: Decimal, amount: Decimal) -> ValidationError:
    left = max(contract.amount_amount - recorded, Decimal(0))
    return ValidationError(
        {
            "amount_amount": _(
                "The receipts of contract %(number)s would add up to %(total)s, more than its amount "
                "%(amount)s: at most %(left)s can still be recorded."
            )
            % {
                "number": contract.number,
                "total": _format(recorded + amount, contract.amount_currency),
                "amount": _format(contract.amount_amount, contract.amount_currency),
                "left": _format(left, contract.amount_currency),
            }
        }
    )


def invoiceable(contract: Any, *, exclude: int | None = None) -> tuple[Decimal, Decimal]:
    """(the ceiling, what live invoice requests already claim) for ``contract``."""
    if ReceivableSettings.current().allow_invoice_before_payment:
        ceiling = contract.amount_amount or Decimal(0)
    else:
        ceiling = Receipt.objects.filter(contract=contract, status=ReceiptStatus.CONFIRMED).aggregate(
            total=Sum("amount_amount")
        )["total"] or Decimal(0)
    claimed = InvoiceRequest.objects.filter(contract=contract, status__in=LIVE_INVOICE_STATUSES)
    if exclude is not None:
        claimed = claimed.exclude(pk=exclude)
    return ceiling, claimed.aggregate(total=Sum("amount_amount"))["total"] or Decimal(0)


def check_invoice_cap(request: InvoiceRequest) -> None:
    if request.amount_amount is None or not request.contract_id:
        return
    contract = lock_contract(request.contract_id)
    ceiling, claimed = invoiceable(contract, exclude=request.pk)
    if claimed + request.amount_amount <= ceiling:
        return
    left = max(ceiling - claimed, Decimal(0))
    if ReceivableSettings.current().allow_invoice_before_payment:
        message = _(
            "At most %(left)s of contract %(number)s can still be invoiced (its amount less what "
            "other requests claim)."
        )
    else:
        message = _(
            "At most %(left)s of contract %(number)s can still be invoiced: invoices follow the "
            "confirmed receipts, less what other requests claim."
        )
    raise ValidationError(
        {
            "amount_amount": message
            % {"left": _format(left, contract.amount_currency), "number": contract.number}
        }
    )


def _receipt_needs_cap(instance: Receipt, action: str) -> bool:
    """The status rules of a receipt write (raise when refused); True when the cap applies."""
    if action in ("transition", REPOINT):  # a merge moves it to the customer kept; amounts stay
        return False
    if action == "delete":
        if _loaded(instance, "status") not in (ReceiptStatus.DRAFT, ReceiptStatus.REJECTED):
            raise ValidationError({"__all__": [_("Only a draft or rejected receipt can be deleted.")]})
        return False
    if action == "update":
        if _loaded(instance, "status") != ReceiptStatus.DRAFT and not instance.changed_fields() <= _OWNERSHIP:
            raise ValidationError({"__all__": [_("Only a draft receipt can be edited.")]})
        if not instance.changed_fields() & {"amount_amount", "contract"}:
            return False
    return instance.status in LIVE_RECEIPT_STATUSES


def guard_receipts(receipts: list[Receipt], actor: Any, action: str) -> dict[int, ValidationError]:
    """The receipt guard over many rows (the write path's bulk mode): the status rules row by row,
    the cap over the whole list (``receipt_cap_refusals``)."""
    refused: dict[int, ValidationError] = {}
    capped: list[int] = []
    for position, receipt in enumerate(receipts):
        try:
            if _receipt_needs_cap(receipt, action):
                capped.append(position)
        except ValidationError as error:
            refused[position] = error
    over = receipt_cap_refusals([receipts[p] for p in capped], actor)
    refused.update((capped[p], error) for p, error in over.items())
    return refused


def guard_receipt(instance: Receipt, actor: Any, action: str) -> None:
    refused = guard_receipts([instance], actor, action)
    if refused:
        raise refused[0]


def guard_allocation(instance: ReceiptAllocation, actor: Any, action: str) -> None:
    if getattr(instance, "by_confirmation", False):
        return
    if instance.receipt.status != ReceiptStatus.DRAFT:
        raise ValidationError({"__all__": [_("Only a draft receipt's allocation can be changed.")]})


def guard_installment(instance: Installment, actor: Any, action: str) -> None:
    if getattr(instance, "by_receipts", False):
        return
    if _loaded(instance, "status") == InstallmentStatus.VOID:
        raise ValidationError({"__all__": [_("A void installment cannot be changed.")]})
    if action == "delete" and (instance.paid_amount or instance.allocations.exists()):
        raise ValidationError(
            {"__all__": [_("Money was received for this installment: void it instead of deleting it.")]}
        )


def guard_invoice(instance: InvoiceRequest, actor: Any, action: str) -> None:
    if action in ("transition", REPOINT):
        return
    if action == "delete":
        if _loaded(instance, "status") not in (
            InvoiceStatus.DRAFT,
            InvoiceStatus.CANCELLED,
            InvoiceStatus.REJECTED,
        ):
            raise ValidationError(
                {"__all__": [_("Only a draft, rejected or cancelled request can be deleted.")]}
            )
        return
    if action == "update":
        if _loaded(instance, "status") != InvoiceStatus.DRAFT and not instance.changed_fields() <= _OWNERSHIP:
            raise ValidationError({"__all__": [_("Only a draft invoice request can be edited.")]})
        if not instance.changed_fields() & {"amount_amount", "contract"}:
            return
    if instance.status in LIVE_INVOICE_STATUSES:
        check_invoice_cap(instance)


register_write_guard(Receipt, guard_receipt, bulk=guard_receipts)
register_write_guard(ReceiptAllocation, guard_allocation)
register_write_guard(Installment, guard_installment)
register_write_guard(InvoiceRequest, guard_invoice)
