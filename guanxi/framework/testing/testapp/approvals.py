"""The test document's approval flow, declared as a module declares its own (docs/approvals.md)."""

from guanxi.approvals.declare import Step, declare_flow, declare_summary
from guanxi.framework.testing.testapp.models import Requisition

declare_flow(
    Requisition,
    "submit",
    key="testapp.requisition.submit",
    name="申请审批",
    name_en="Requisition approval",
    condition={
        "version": 1,
        "any": [
            {"field": "discount_percent", "op": "gt", "value": 15},
            {"field": "amount_base", "op": "gt", "value": 100000},
            {"field": "customer.level", "op": "eq", "value": "A"},
        ],
    },
    steps=[Step("manager", name="经理审批", name_en="Manager")],
    deadline_hours=24,
)

declare_summary(Requisition, fields=["amount", "discount_percent", "customer", "note"], amount="amount")
