"""The contract's approval flow (the engine: guanxi/approvals, docs/approvals.md).

*Submit* asks for *activate*; the default flow sends a contract above ¥100,000 (company currency)
or following a quote discounted by more than 15 % to the submitter's manager. Below both, no flow
matches and the contract is active at once. Administrators edit the flow afterwards."""

from guanxi.approvals.declare import Step, declare_flow
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
