"""The receivables' approval flows (the engine: guanxi/approvals, docs/approvals.md).

*Submit* on a receipt asks for *confirm*; on an invoice request for *approve*. The default flows
send a receipt above ¥500,000 and an invoice request of a 专用发票 (special VAT invoice) or above
¥100,000 (company currency) to the submitter's manager; otherwise no flow matches and the change
applies at once. Administrators edit the flows afterwards (Settings → Approval flows)."""

from guanxi.approvals.declare import Step, declare_flow, declare_summary
from guanxi.receivables.models import InvoiceRequest, Receipt

declare_flow(
    Receipt,
    "confirm",
    key="receivables.receipt.confirm",
    name="回款确认",
    name_en="Receipt confirmation",
    condition={"version": 1, "all": [{"field": "amount_base", "op": "gt", "value": 500000}]},
    steps=[Step("manager", name="经理审批", name_en="Manager")],
    deadline_hours=48,
)
declare_flow(
    InvoiceRequest,
    "approve",
    key="receivables.invoicerequest.approve",
    name="开票审批",
    name_en="Invoice request approval",
    condition={
        "version": 1,
        "any": [
            {"field": "amount_base", "op": "gt", "value": 100000},
            {"field": "kind", "op": "eq", "value": "special"},
        ],
    },
    steps=[Step("manager", name="经理审批", name_en="Manager")],
    deadline_hours=48,
)

# What the approver reads on the request page (and the lists' amount).
declare_summary(
    Receipt,
    fields=["amount", "method", "received_on", "contract", "customer"],
    amount="amount",
)
declare_summary(
    InvoiceRequest,
    fields=["amount", "title", "kind", "contract", "customer"],
    amount="amount",
)
