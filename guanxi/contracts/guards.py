"""Write guards: only a draft contract or order (and an order's lines) changes.

Transitions change the status through ``transition()`` (not guarded here; a pending approval
locks the contract through the approval engine's own guard). The renewal bookkeeping of an active
contract (the reminder sent, the renewal deal) is written by the nightly job and the renewal
action. A merge re-points a contract or order to the customer (or signer) kept
(``write.repoint_references``: only that reference changes). Anything else on a contract or order
past draft is refused on every write path (pages, API, bulk edit, import) with one message.

A won deal whose contract is submitted or in force stays won (``contract_holds_win``): moving it back
to an open stage or to lost would take a signed sale out of the forecast and the win dashboards
while its contract, receipts and invoices go on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.contracts.models import Contract, ContractStatus, Order, OrderLine, OrderStatus
from guanxi.framework.write import REPOINT, register_write_guard
from guanxi.sales.models import Deal
from guanxi.sales.models.deal import hold_win

_CONTRACT_BOOKKEEPING = {"renewal_reminded_for", "renewal_deal", "updated_at", "updated_by"}
# An owner transfer (离职交接) moves any contract or order, whatever its status.
_OWNERSHIP = {"owner", "department", "updated_at", "updated_by"}


def _loaded_status(instance: Any) -> str:
    loaded = getattr(instance, "_loaded_values", None) or {}
    return loaded.get("status", instance.status)


def guard_contract(instance: Contract, actor: Any, action: str) -> None:
    if action in ("create", "transition", REPOINT):  # a merge moves it to the customer kept
        return
    if _loaded_status(instance) == ContractStatus.DRAFT:
        return
    if action == "update" and instance.changed_fields() <= _CONTRACT_BOOKKEEPING | _OWNERSHIP:
        return
    raise ValidationError({"__all__": [_("Only a draft contract can be edited.")]})


def guard_order(instance: Order, actor: Any, action: str) -> None:
    if action in ("create", "transition", REPOINT):
        return
    if _loaded_status(instance) == OrderStatus.DRAFT:
        return
    if action == "update" and instance.changed_fields() <= _OWNERSHIP:
        return
    raise ValidationError({"__all__": [_("Only a draft order can be edited.")]})


def guard_line(instance: OrderLine, actor: Any, action: str) -> None:
    if not instance.order.is_editable:
        raise ValidationError({"__all__": [_("Only a draft order can be edited.")]})


#: A contract in these statuses holds its deal's win (a draft or a terminated one does not).
WIN_HOLDING_STATUSES = (ContractStatus.PENDING_APPROVAL, ContractStatus.ACTIVE, ContractStatus.COMPLETED)


@hold_win
def contract_holds_win(deal: Deal) -> str | None:
    """A won deal stays won while one of its contracts is submitted, active or completed (a
    terminated or draft contract does not hold it): the deal's other stages are not offered, and
    a move to one (the board, the record page, the API) is refused with this message."""
    contract = (
        Contract.objects.filter(deal_id=deal.pk, status__in=WIN_HOLDING_STATUSES)
        .only("number", "title", "status")
        .order_by("pk")
        .first()
    )
    if contract is None:
        return None
    return _(
        "The deal's contract %(contract)s is %(status)s: it stays won. Terminate the contract first "
        "if the sale fell through."
    ) % {"contract": contract.number or contract.title, "status": contract.get_status_display()}


register_write_guard(Contract, guard_contract)
register_write_guard(Order, guard_order)
register_write_guard(OrderLine, guard_line)
