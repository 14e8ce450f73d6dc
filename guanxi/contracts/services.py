"""Contract and order use cases: settings, create (directly, from an accepted quote, an order from
a contract), order lines and totals, the renewal deal and the renewal reminders.

Every write goes through ``guanxi.framework.write``; status changes through ``transition``.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.contracts.arithmetic import order_line_total, order_total
from guanxi.contracts.models import (
    MAX_LINES,
    Contract,
    ContractSettings,
    ContractStatus,
    Order,
    OrderLine,
)
from guanxi.framework.access import can
from guanxi.framework.money import company_currency, to_decimal
from guanxi.framework.write import bulk_create_objects, delete_object, save_object
from guanxi.products.models import Product

# -- settings -------------------------------------------------------------------------------------


def update_contract_settings(
    *, actor: Any, number_pattern: str, renewal_reminder_days: int
) -> ContractSettings:
    """Set the contract number pattern and the renewal reminder (administrators: ``change`` on
    contract settings). A pattern without a sequence is refused at ``number_pattern``."""
    if actor is not None and not can(actor, "change", ContractSettings):
        raise PermissionDenied(_("Only administrators may change the contract settings."))
    with transaction.atomic():
        settings = ContractSettings.objects.select_for_update().filter(pk=1).first() or ContractSettings(pk=1)
        settings.number_pattern = (number_pattern or "").strip()
        settings.renewal_reminder_days = renewal_reminder_days
        settings.full_clean()
        save_object(settings, actor=actor, check_visible=False)
    return settings


# -- contracts ------------------------------------------------------------------------------------


def _check_visible_links(contract: Contract, actor: Any) -> None:
    """The customer, deal and quote a contract names must be ones the actor can see."""
    if actor is None:
        return
    from guanxi.customers.models import Customer
    from guanxi.quotes.models import Quote
    from guanxi.sales.models import Deal

    errors: dict[str, list[str]] = {}
    if (
        contract.customer_id
        and not Customer.objects.restrict(actor, "view").filter(pk=contract.customer_id).exists()
    ):
        errors["customer"] = [_("Choose a customer you can see.")]
    if contract.deal_id and not Deal.objects.restrict(actor, "view").filter(pk=contract.deal_id).exists():
        errors["deal"] = [_("Choose a deal you can see.")]
    if contract.quote_id and not Quote.objects.restrict(actor, "view").filter(pk=contract.quote_id).exists():
        errors["quote"] = [_("Choose a quote you can see.")]
    if errors:
        raise ValidationError(errors)


def create_contract(*, actor: Any, contract: Contract) -> Contract:
    """Create ``contract`` (unsaved, a draft) with the next number of the configured pattern."""
    contract.fill_defaults()
    if not contract.customer_id:
        raise ValidationError({"customer": [_("Choose the customer the contract is with.")]})
    _check_visible_links(contract, actor)
    with transaction.atomic():
        contract.full_clean(exclude=["number"])
        save_object(contract, actor=actor)
    return contract


def contract_for_quote(quote: Any) -> Contract | None:
    """The contract already made from ``quote`` (the newest), if any."""
    return Contract.objects.filter(quote=quote).order_by("-pk").first()


def create_contract_from_quote(
    quote: Any, *, actor: Any, with_order: bool = False
) -> tuple[Contract, Order | None]:
    """A draft contract following the accepted ``quote`` (its customer, deal, title, grand total,
    terms and discount) and, with ``with_order``, a draft order with the quote's lines copied."""
    from guanxi.quotes.models import Quote, QuoteStatus

    if actor is not None:
        if not Quote.objects.restrict(actor, "view").filter(pk=quote.pk).exists():
            raise PermissionDenied(_("You may not read this quote."))
        if not can(actor, "add", Contract) or (with_order and not can(actor, "add", Order)):
            raise PermissionDenied(_("You may not create contracts."))
    if quote.status != QuoteStatus.ACCEPTED:
        raise ValidationError({"quote": [_("Only an accepted quote becomes a contract.")]})
    with transaction.atomic():
        Quote.objects.select_for_update().filter(pk=quote.pk).first()  # one contract at a time
        existing = contract_for_quote(quote)
        if existing is not None:
            raise ValidationError(
                {
                    "quote": [
                        _("Contract %(number)s was already made from this quote.")
                        % {"number": existing.number}
                    ]
                }
            )
        contract = create_contract(
            actor=actor,
            contract=Contract(
                title=quote.title or str(quote.deal),
                customer_id=quote.customer_id,
                deal_id=quote.deal_id,
                quote=quote,
                amount_amount=quote.grand_total_amount,
                amount_currency=quote.grand_total_currency,
                terms=quote.terms,
                owner_id=quote.owner_id,
                our_signer=actor if getattr(actor, "pk", None) else None,
            ),
        )
        order = create_order_from_contract(contract, actor=actor) if with_order else None
    return contract, order


def create_renewal_deal(contract: Contract, *, actor: Any) -> Any:
    """A new deal to renew ``contract``: the default pipeline's first stage, the contract's
    customer, owner and amount, expected to close at its end. Once per contract."""
    from guanxi.sales.models import Deal, Pipeline
    from guanxi.sales.services import create_deal

    if actor is not None and not Contract.objects.restrict(actor, "change").filter(pk=contract.pk).exists():
        raise PermissionDenied(_("You may not change this contract."))
    if actor is not None and not can(actor, "add", Deal):
        raise PermissionDenied(_("You may not create deals."))
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
        raise ValidationError({"status": [_("Only an active or completed contract is renewed.")]})
    pipeline = Pipeline.objects.filter(is_default=True).first()
    stage = pipeline.stages.filter(kind="open").order_by("order").first() if pipeline is not None else None
    if pipeline is None or stage is None:
        raise ValidationError({"pipeline": [_("There is no default pipeline to put the renewal deal in.")]})
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.renewal_deal_id is not None:
            raise ValidationError(
                {
                    "renewal_deal": [
                        _("This contract already has its renewal deal: %(deal)s.")
                        % {"deal": locked.renewal_deal}
                    ]
                }
            )
        deal = create_deal(
            actor=actor,
            deal=Deal(
                name=_("Renewal: %(title)s") % {"title": locked.title},
                customer_id=locked.customer_id,
                pipeline=pipeline,
                stage=stage,
                owner_id=locked.owner_id,
                amount_amount=locked.amount_amount,
                amount_currency=locked.amount_currency,
                expected_close_date=locked.ends_on,
            ),
        )
        locked.renewal_deal = deal
        save_object(locked, actor=actor)
        contract.renewal_deal = deal
    return deal


def remind_renewals(*, today: datetime.date | None = None) -> int:
    """Tell the owners of active contracts ending within the configured days (once per end date)."""
    from guanxi.framework.i18n import deferred
    from guanxi.framework.notify import notify

    today = today or timezone.localdate()
    days = ContractSettings.current().renewal_reminder_days
    horizon = today + datetime.timedelta(days=days)
    due = (
        Contract.objects.filter(status=ContractStatus.ACTIVE, ends_on__gte=today, ends_on__lte=horizon)
        .exclude(owner=None)
        .select_related("owner", "customer")
        .order_by("ends_on", "pk")
    )
    count = 0
    for contract in due.iterator():
        if contract.renewal_reminded_for == contract.ends_on:
            continue
        with transaction.atomic():
            contract.renewal_reminded_for = contract.ends_on
            save_object(contract, actor=None, check_visible=False)
            title = deferred(
                gettext_noop("Contract %(number)s ends on %(date)s: time to renew"),
                number=contract.number,
                date=contract.ends_on.isoformat() if contract.ends_on else "",
            )
            owner, url = contract.owner, contract.get_absolute_url()
            transaction.on_commit(partial(notify, owner, title, url=url, level="warning"))
        count += 1
    return count


# -- orders ---------------------------------------------------------------------------------------


def create_order(*, actor: Any, order: Order) -> Order:
    """Create ``order`` (unsaved, a draft) directly or for a contract; its lines come next."""
    from guanxi.customers.models import Customer

    order.fill_defaults()
    if not order.customer_id:
        raise ValidationError({"customer": [_("Choose the customer who orders.")]})
    if actor is not None:
        if not Customer.objects.restrict(actor, "view").filter(pk=order.customer_id).exists():
            raise ValidationError({"customer": [_("Choose a customer you can see.")]})
        if (
            order.contract_id
            and not Contract.objects.restrict(actor, "view").filter(pk=order.contract_id).exists()
        ):
            raise ValidationError({"contract": [_("Choose a contract you can see.")]})
    with transaction.atomic():
        order.full_clean(exclude=["number"])
        save_object(order, actor=actor)
    return order


@dataclass
class OrderLineInput:
    """One order line as a user gives it; an empty ``unit_price`` means the product's list price."""

    product: Product | None = None
    description: str = ""
    quantity: Any = 1
    unit_price: Any = None
    discount_percent: Any = 0


def _number(value: Any, field: str, errors: dict[str, list[str]], key: str) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        return to_decimal(value)
    except ValueError:
        errors.setdefault(f"{key}.{field}", []).append(_("Enter a number."))
        return None


def build_order_line(
    order: Order, data: OrderLineInput, position: int, errors: dict[str, list[str]]
) -> OrderLine | None:
    """An unsaved line; field errors go to ``errors`` under ``"<position>.<field>"``."""
    key = str(position)
    quantity = _number(data.quantity, "quantity", errors, key)
    unit_price = _number(data.unit_price, "unit_price", errors, key)
    discount = _number(data.discount_percent, "discount_percent", errors, key)
    if quantity is None and f"{key}.quantity" not in errors:
        errors.setdefault(f"{key}.quantity", []).append(_("Enter the quantity."))
    product = data.product
    if unit_price is None and f"{key}.unit_price" not in errors:
        if (
            product is not None
            and product.list_price_amount is not None
            and product.list_price_currency == order.currency
        ):
            unit_price = product.list_price_amount
        else:
            errors.setdefault(f"{key}.unit_price", []).append(_("Enter the unit price."))
    if any(k.startswith(f"{key}.") for k in errors):
        return None
    line = OrderLine(
        order=order,
        position=position,
        product=product,
        description=data.description or "",
        quantity=cast(decimal.Decimal, quantity),
        unit_price_amount=unit_price,
        unit_price_currency=order.currency,
        discount_percent=discount if discount is not None else decimal.Decimal(0),
    )
    try:
        # the product is a loaded record (the caller resolved it): its existence is not asked
        # again, one query a line (an import builds thousands)
        line.full_clean(exclude=["order", "product"] if product is not None else ["order"])
        line.clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            name = field.removesuffix("_amount")
            errors.setdefault(f"{key}.{name}", []).extend(messages)
        return None
    return line


def save_order_lines(order: Order, lines: list[OrderLineInput], *, actor: Any) -> Order:
    """Replace the draft order's lines and store its total, all or nothing.

    ``ValidationError`` ``{"<n>.<field>": [...]}`` (n from 1) on bad input: nothing is changed."""
    if actor is not None and not Order.objects.restrict(actor, "change").filter(pk=order.pk).exists():
        raise PermissionDenied(_("You may not change this order."))
    if not order.is_editable:
        raise ValidationError({"lines": [_("Only a draft order can be edited.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("An order has at most %(n)d lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    built = [build_order_line(order, data, n, errors) for n, data in enumerate(lines, start=1)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for old in list(OrderLine.objects.filter(order=order)):
            delete_object(old, actor=actor)
        bulk_create_objects(
            OrderLine, [line for line in built if line is not None], actor=actor, check_visible=False
        )
        recalculate_order(order, actor=actor)
    return order


def _total_of(order: Order, lines: list[OrderLine]) -> Any:
    """The order's total: the sum of its lines' rounded totals (the one rule)."""
    totals = [
        order_line_total(line.quantity, line.unit_price, line.discount_percent)
        for line in lines
        if line.unit_price is not None
    ]
    return order_total(totals, order.currency)


def recalculate_order(order: Order, *, actor: Any) -> Order:
    """Store the order's total as the sum of its lines' rounded totals."""
    order.total = _total_of(order, list(OrderLine.objects.filter(order=order)))
    save_object(order, actor=actor)
    return order


def build_order_lines(order: Order, lines: list[dict[str, Any]], actor: Any) -> list[OrderLine]:
    """An order's lines from an import (``{"product", "description", "quantity", "unit_price",
    "discount_percent"}`` each), checked by ``build_order_line``, with the order's ``total`` set
    from them; nothing is written (the import engine writes orders and lines in bulk).

    ``ValidationError`` ``{"<n>.<field>": [...]}`` (n from 1) on a bad line."""
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("An order has at most %(n)d lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    built = [
        build_order_line(
            order,
            OrderLineInput(
                product=line.get("product"),
                description=line.get("description") or "",
                quantity=line.get("quantity"),
                unit_price=line.get("unit_price"),
                discount_percent=line.get("discount_percent"),
            ),
            position,
            errors,
        )
        for position, line in enumerate(lines, start=1)
    ]
    if errors:
        raise ValidationError(errors)
    out = [line for line in built if line is not None]
    order.total = _total_of(order, out)
    return out


def order_lines_editable(order: Order) -> str:
    """Why the order's lines may not be replaced, or "" (only a draft's lines change)."""
    return "" if order.is_editable else str(_("Only a draft order can be edited."))


def create_order_from_contract(contract: Contract, *, actor: Any) -> Order:
    """A draft order for ``contract``: the lines of its quote, or one line for the contract amount."""
    from guanxi.quotes.models import QuoteLine

    if actor is not None:
        if not Contract.objects.restrict(actor, "view").filter(pk=contract.pk).exists():
            raise PermissionDenied(_("You may not read this contract."))
        if not can(actor, "add", Order):
            raise PermissionDenied(_("You may not create orders."))
    currency = contract.amount_currency or company_currency()
    with transaction.atomic():
        order = create_order(
            actor=actor,
            order=Order(
                customer_id=contract.customer_id,
                contract=contract,
                currency=currency,
                owner_id=contract.owner_id,
            ),
        )
        if contract.quote_id:
            rows = [
                OrderLineInput(
                    product=line.product,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price_amount,  # copied as quoted: orders are net of tax
                    discount_percent=line.discount_percent,
                )
                for line in QuoteLine.objects.filter(quote_id=contract.quote_id).select_related("product")
            ]
        else:
            rows = [
                OrderLineInput(description=contract.title, quantity=1, unit_price=contract.amount_amount or 0)
            ]
        save_order_lines(order, rows, actor=actor)
    return order


__all__ = [
    "OrderLineInput",
    "build_order_lines",
    "contract_for_quote",
    "create_contract",
    "create_contract_from_quote",
    "create_order",
    "create_order_from_contract",
    "create_renewal_deal",
    "order_lines_editable",
    "recalculate_order",
    "remind_renewals",
    "save_order_lines",
    "update_contract_settings",
]
