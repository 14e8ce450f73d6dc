"""Write guards: only a draft contract or order (and an order's lines) changes.

Transitions change the status through ``transition()`` (not guarded here; a pending approval
locks the contract through the approval engine's own guard). The renewal bookkeeping of an active
contract (the reminder sent, the renewal deal) is written by the nightly job and the renewal
action. A merge re-points a contract or order to the customer (or signer) kept
(``write.repoint_references``: only that reference changes). Anything else on a contract or order
past draft is refused on every write path (pages, API, bulk edit, import) with one message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.contracts.models import Contract, ContractStatus, Order, OrderLine, OrderStatus
from guanxi.framework.write import REPOINT, register_write_guard

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


register_write_guard(Contract, guard_contract)
register_write_guard(Order, guard_order)
register_write_guard(OrderLine, guard_line)
