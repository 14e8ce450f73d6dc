"""Cards on generic pages: the customer 360° page's contracts and orders cards (with the lifetime
totals), a contract's orders and renewal, and the "make it a contract" offer on an accepted quote
(see guanxi.framework.cards)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum

from guanxi.contracts.models import SIGNED_STATUSES, Contract, ContractStatus, Order
from guanxi.contracts.models.order import BOUGHT_STATUSES
from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.framework.money import Money, company_currency

CARD_ROWS = 10


def _money(value: Any) -> Money:
    return Money(value or 0, company_currency())


@register_card("detail.main", "contracts/customer_contracts_card.html", weight=25)
def customer_contracts_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The customer's contracts the reader may see, newest first, and the lifetime signed total
    (active, completed and terminated contracts, in the company currency)."""
    from guanxi.customers.models import Customer

    if not isinstance(obj, Customer) or request is None or not can(request.user, "view", Contract):
        return None
    contracts = Contract.objects.restrict(request.user, "view").filter(customer=obj)
    totals = contracts.aggregate(
        count=Count("pk"), signed_total=Sum("amount_base", filter=Q(status__in=SIGNED_STATUSES))
    )
    return {
        "customer_contracts": list(contracts.order_by("-signed_on", "-pk")[:CARD_ROWS]),
        "contract_totals": {
            "count": totals["count"],
            "signed_total": _money(totals["signed_total"]).format(),
        },
        "can_add_contract": can(request.user, "add", Contract),
    }


@register_card("detail.main", "contracts/customer_orders_card.html", weight=26)
def customer_orders_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The customer's recent orders the reader may see and the confirmed and fulfilled total."""
    from guanxi.customers.models import Customer

    if not isinstance(obj, Customer) or request is None or not can(request.user, "view", Order):
        return None
    orders = Order.objects.restrict(request.user, "view").filter(customer=obj)
    totals = orders.aggregate(
        count=Count("pk"), bought_total=Sum("total_base", filter=Q(status__in=BOUGHT_STATUSES))
    )
    return {
        "customer_orders": list(orders.order_by("-order_date", "-pk")[:CARD_ROWS]),
        "order_totals": {"count": totals["count"], "bought_total": _money(totals["bought_total"]).format()},
        "can_add_order": can(request.user, "add", Order),
    }


@register_card("detail.main", "contracts/contract_orders_card.html", weight=20)
def contract_orders_card(request: Any, obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, Contract) or request is None:
        return None
    return {
        "contract_orders": list(
            Order.objects.restrict(request.user, "view").filter(contract=obj).order_by("-pk")
        ),
        "can_add_order": can(request.user, "add", Order) and obj.status != ContractStatus.TERMINATED,
    }


@register_card("detail.side", "contracts/contract_renewal_card.html", weight=20)
def contract_renewal_card(request: Any, obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, Contract) or request is None:
        return None
    from guanxi.sales.models import Deal

    may_renew = (
        obj.status in (ContractStatus.ACTIVE, ContractStatus.COMPLETED)
        and can(request.user, "add", Deal)
        and Contract.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()
    )
    return {"may_renew": may_renew}


@register_card("detail.main", "contracts/quote_contract_card.html", weight=5)
def quote_contract_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """On an accepted quote: the contract made from it, or the offer to make it (and the order)."""
    from guanxi.quotes.models import Quote, QuoteStatus

    if not isinstance(obj, Quote) or request is None or obj.status != QuoteStatus.ACCEPTED:
        return None
    existing = Contract.objects.restrict(request.user, "view").filter(quote=obj).order_by("-pk").first()
    if existing is None and not can(request.user, "add", Contract):
        return None
    return {"quote_contract": existing, "can_add_order": can(request.user, "add", Order)}
