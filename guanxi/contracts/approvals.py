"""The contract's approval flow (the engine: guanxi/approvals, docs/approvals.md).

*Submit* asks for *activate*; the default flow sends a contract above ¥100,000 (company currency)
or following a quote discounted by more than 15 % to the submitter's manager. Below both, no flow
matches and the contract is active at once. Administrators edit the flow afterwards."""

from django.utils.translation import gettext_lazy as _

from guanxi.approvals.declare import Step, SummaryLines, declare_flow, declare_summary
from guanxi.contracts.models import Contract

declare_flow(
    Contract,
    "activate",
    key="contracts.contract.activate",
    name="合同审批",
    name_en="Contract approval",
    condition={
        "version": 1,
        "any": [
            {"field": "amount_base", "op": "gt", "value": 100000},
            {"field": "discount_percent", "op": "gt", "value": 15},
        ],
    },
    steps=[Step("manager", name="经理审批", name_en="Manager")],
    deadline_hours=48,
)

# What the approver reads on the request page: the customer, the amount, the dates and the
# payment plan (回款计划, the receivables' installments; void ones left out).
declare_summary(
    Contract,
    fields=["customer", "amount", "signed_on", "starts_on", "ends_on"],
    amount="amount",
    lines=SummaryLines(
        lambda contract: contract.installments.exclude(status="void").order_by("sequence"),
        fields=["installment", "due_on", "amount", "status"],
        title=_("Payment plan"),
        computed={"installment": (_("installment no."), str)},  # 第1期 / Installment 1
    ),
)
