"""The quote's approval flow (the engine: guanxi/approvals, docs/approvals.md).

*Submit* asks for *approve*; the default flow sends a quote whose overall discount is above 15 %
or whose grand total is above ¥100,000 (company currency) to the submitter's manager. Below both,
no flow matches and the quote is approved at once. Administrators edit the flow afterwards."""

from guanxi.approvals.declare import Step, declare_flow
from guanxi.quotes.models import Quote

declare_flow(
    Quote,
    "approve",
    key="quotes.quote.approve",
    name="报价审批",
    name_en="Quote approval",
    condition={
        "version": 1,
        "any": [
            {"field": "discount_percent", "op": "gt", "value": 15},
            {"field": "grand_total_base", "op": "gt", "value": 100000},
        ],
    },
    steps=[Step("manager", name="经理审批", name_en="Manager")],
    deadline_hours=48,
)
