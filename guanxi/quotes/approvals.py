"""The quote's approval flow (the engine: guanxi/approvals, docs/approvals.md).

*Submit* asks for *approve*; the default flow sends a quote whose overall discount is above 15 %
or whose grand total is above ¥100,000 (company currency) to the submitter's manager. Below both,
no flow matches and the quote is approved at once. Administrators edit the flow afterwards."""

from typing import Any

from django.utils.translation import pgettext_lazy

from guanxi.approvals.declare import Step, SummaryLines, declare_flow, declare_summary
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


def line_item(line: Any) -> str:
    """A line as the quote page names it: the product's SKU and name, then the description."""
    product = f"{line.product.sku} {line.product.display_name}" if line.product_id else ""
    return " ".join(part for part in (product, line.description) if part)


# What the approver reads on the request page (and the lists' amount): the deal, the money and
# the lines, through the approver's field rules.
declare_summary(
    Quote,
    fields=["customer", "deal", "grand_total", "discount_percent", "valid_until"],
    amount="grand_total",
    lines=SummaryLines(
        lambda quote: quote.lines.select_related("product").order_by("position", "pk"),
        fields=["item", "quantity", "unit_price", "discount_percent", "total"],
        title=pgettext_lazy("quote", "Lines"),
        computed={"item": (pgettext_lazy("quote", "Item"), line_item)},
    ),
)
