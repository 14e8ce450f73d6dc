from guanxi.receivables.models.installment import (
    MAX_INSTALLMENTS,
    MAX_REMIND_DAYS,
    OPEN_STATUSES,
    Installment,
    InstallmentStatus,
    check_plan_total,
)
from guanxi.receivables.models.invoice import (
    LIVE_INVOICE_STATUSES,
    InvoiceKind,
    InvoiceRequest,
    InvoiceStatus,
    ReceivableSettings,
)
from guanxi.receivables.models.receipt import (
    LIVE_RECEIPT_STATUSES,
    Receipt,
    ReceiptAllocation,
    ReceiptStatus,
)

__all__ = [
    "LIVE_INVOICE_STATUSES",
    "LIVE_RECEIPT_STATUSES",
    "MAX_INSTALLMENTS",
    "MAX_REMIND_DAYS",
    "OPEN_STATUSES",
    "Installment",
    "InstallmentStatus",
    "InvoiceKind",
    "InvoiceRequest",
    "InvoiceStatus",
    "Receipt",
    "ReceiptAllocation",
    "ReceiptStatus",
    "ReceivableSettings",
    "check_plan_total",
]
