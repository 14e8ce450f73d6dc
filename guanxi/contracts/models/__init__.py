from guanxi.contracts.models.contract import (
    SIGNED_STATUSES,
    Contract,
    ContractSettings,
    ContractStatus,
)
from guanxi.contracts.models.order import MAX_LINES, Order, OrderLine, OrderStatus

__all__ = [
    "MAX_LINES",
    "SIGNED_STATUSES",
    "Contract",
    "ContractSettings",
    "ContractStatus",
    "Order",
    "OrderLine",
    "OrderStatus",
]
