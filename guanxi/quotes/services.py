"""Quote use cases: create from a deal, save the lines, recalculate, revise, win the deal, expire.

Every write goes through ``guanxi.framework.write``; status changes through ``transition``.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework.money import Money, to_decimal
from guanxi.framework.statemachine import transition
from guanxi.framework.write import bulk_create_objects, delete_object, save_object
from guanxi.products.models import PriceList, Product
from guanxi.products.services import applicable_price
from guanxi.quotes.arithmetic import discount_percent_of, line_amounts, quote_totals
from guanxi.quotes.models import MAX_LINES, Quote, QuoteLine, QuoteStatus
from guanxi.quotes.models.quote import VALIDITY_DAYS


def _may_change(quote: Quote, actor: Any) -> None:
    if actor is not None and not Quote.objects.restrict(actor, "change").filter(pk=quote.pk).exists():
        raise PermissionDenied(_("You may not change this quote."))


def create_quote(*, actor: Any, quote: Quote) -> Quote:
    """Create ``quote`` (unsaved) on a deal the actor may view; the model fills in the customer,
    the invoicing details, the validity, the price list and the number (``Quote.fill_defaults``)."""
    from guanxi.sales.models import Deal

    if not quote.deal_id:
        raise ValidationError({"deal": [_("Choose the deal the quote is for.")]})
    if actor is not None and not Deal.objects.restrict(actor, "view").filter(pk=quote.deal_id).exists():
        raise ValidationError({"deal": [_("Choose a deal you can see.")]})
    with transaction.atomic():
        quote.full_clean()
        save_object(quote, actor=actor)
    return quote


@dataclass
class LineInput:
    """One line as a user gives it; empty ``unit_price``/``tax_rate`` mean "from the product"."""

    product: Product | None = None
    description: str = ""
    quantity: Any = 1
    unit_price: Any = None
    discount_percent: Any = 0
    tax_rate: Any = None
    unit: str = ""


def _number(value: Any, field: str, errors: dict[str, list[str]], key: str) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        return to_decimal(value)
    except ValueError:
        errors.setdefault(f"{key}.{field}", []).append(_("Enter a number."))
        return None


def build_line(
    quote: Quote, data: LineInput, position: int, errors: dict[str, list[str]]
) -> QuoteLine | None:
    """An unsaved line with its price from the quote's price list (or the product's list price);
    field errors go to ``errors`` under ``"<position>.<field>"``."""
    key = str(position)
    quantity = _number(data.quantity, "quantity", errors, key)
    unit_price = _number(data.unit_price, "unit_price", errors, key)
    discount = _number(data.discount_percent, "discount_percent", errors, key)
    tax_rate = _number(data.tax_rate, "tax_rate", errors, key)
    if quantity is None and f"{key}.quantity" not in errors:
        errors.setdefault(f"{key}.quantity", []).append(_("Enter the quantity."))
    product = data.product
    if unit_price is None:
        if product is None:
            if f"{key}.unit_price" not in errors:
                errors.setdefault(f"{key}.unit_price", []).append(
                    _("Enter the unit price of a free-text line.")
                )
        else:
            applied = applicable_price(
                product,
                currency=quote.currency,
                day=quote.quote_date,
                level=quote.customer.level,
                price_list=quote.price_list,
            )
            if applied is None:
                errors.setdefault(f"{key}.unit_price", []).append(
                    _("No exchange rate to price %(sku)s in %(currency)s; enter the unit price.")
                    % {"sku": product.sku, "currency": quote.currency}
                )
            else:
                unit_price = applied.price.amount
    if tax_rate is None:
        tax_rate = product.tax_rate if product is not None else decimal.Decimal(0)
    if any(k.startswith(f"{key}.") for k in errors):
        return None
    line = QuoteLine(
        quote=quote,
        position=position,
        product=product,
        description=data.description or "",
        unit=data.unit or (product.unit if product else ""),
        quantity=cast(decimal.Decimal, quantity),  # None only with an error, returned above
        unit_price_amount=unit_price,
        unit_price_currency=quote.currency,
        discount_percent=discount or decimal.Decimal(0),
        tax_rate=tax_rate,
    )
    try:
        line.full_clean(exclude=["quote"])
        line.clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            name = field.removesuffix("_amount")
            errors.setdefault(f"{key}.{name}", []).extend(messages)
        return None
    return line


def save_quote_lines(quote: Quote, lines: list[LineInput], *, actor: Any) -> Quote:
    """Replace the draft's lines with ``lines`` and recalculate its totals, all or nothing.

    ``ValidationError`` ``{"<n>.<field>": [...]}`` (n from 1) on bad input: nothing is changed."""
    _may_change(quote, actor)
    if not quote.is_editable:
        raise ValidationError({"lines": [_("Only the current draft of a quote can change.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {
                "lines": [
                    _("A quote has at most %(n)d lines; split it into several quotes.") % {"n": MAX_LINES}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    built = [build_line(quote, data, n, errors) for n, data in enumerate(lines, start=1)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for old in list(QuoteLine.objects.filter(quote=quote)):
            delete_object(old, actor=actor)
        bulk_create_objects(
            QuoteLine, [line for line in built if line is not None], actor=actor, check_visible=False
        )
        recalculate_quote(quote, actor=actor)
    return quote


def recalculate_quote(quote: Quote, *, actor: Any) -> Quote:
    """Store the quote's totals as the sums of its lines' rounded amounts."""
    amounts = [
        line_amounts(line.quantity, line.unit_price, line.discount_percent, line.tax_rate)
        for line in QuoteLine.objects.filter(quote=quote)  # not a prefetched (stale) set
        if line.unit_price is not None
    ]
    totals = quote_totals(amounts, quote.currency)
    quote.subtotal, quote.discount_total = totals.subtotal, totals.discount
    quote.tax_total, quote.grand_total = totals.tax, totals.grand_total
    quote.discount_percent = discount_percent_of(totals)
    save_object(quote, actor=actor)
    return quote


def revise_quote(quote: Quote, *, actor: Any) -> Quote:
    """A new draft version copying ``quote`` and its lines; the old version becomes read-only."""
    _may_change(quote, actor)
    if not quote.is_current:
        raise ValidationError({"version": [_("Revise the current version of the quote.")]})
    if quote.status in (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL):
        raise ValidationError(
            {"status": [_("A draft is edited directly; withdraw a pending quote to change it.")]}
        )
    with transaction.atomic():
        old = Quote.objects.select_for_update().get(pk=quote.pk)
        if not old.is_current:
            raise ValidationError({"version": [_("Someone revised this quote meanwhile.")]})
        new = Quote.objects.get(pk=old.pk)
        new.pk = None
        new._state.adding = True
        new.version = old.version + 1
        new.previous = old
        new.status = QuoteStatus.DRAFT
        new.rejection_reason = ""
        new.sent_at = None
        new.quote_date = timezone.localdate()
        if new.valid_until < new.quote_date:
            new.valid_until = new.quote_date + datetime.timedelta(days=VALIDITY_DAYS)
        new.created_at = new.updated_at = None  # type: ignore[assignment]
        save_object(new, actor=actor)
        copies = []
        for line in QuoteLine.objects.filter(quote=old):
            line.pk = None
            line._state.adding = True
            line.quote = new
            copies.append(line)
        bulk_create_objects(QuoteLine, copies, actor=actor, check_visible=False)
        old.is_current = False
        save_object(old, actor=actor)
    return new


def mark_deal_won_from_quote(quote: Quote, *, actor: Any, reason: str = "") -> None:
    """Move the quote's deal to its pipeline's won stage (the user asked for it on acceptance)."""
    from guanxi.sales.choices import StageKind
    from guanxi.sales.services import move_deal

    deal = quote.deal
    won = deal.pipeline.stages.filter(kind=StageKind.WON).order_by("order").first()
    if won is None or deal.stage_id == won.pk:
        return
    try:
        move_deal(deal, won, actor=actor, reason=reason or "price", note=str(quote))
    except ValidationError as exc:
        raise ValidationError({"mark_deal_won": exc.messages}) from None


def attach_pdf_to_deal(quote: Quote, *, actor: Any) -> Any:
    """The quote's PDF as a file on its deal (whoever may change the deal)."""
    from django.core.files.base import ContentFile

    from guanxi.core.attachments import attach_file
    from guanxi.quotes.pdf import pdf_filename, render_quote_pdf

    content = ContentFile(render_quote_pdf(quote), name=pdf_filename(quote))
    return attach_file(quote.deal, content, actor=actor)


def expire_quotes(*, today: datetime.date | None = None) -> int:
    """Approved and sent quotes past their validity date become expired (the nightly job)."""
    today = today or timezone.localdate()
    count = 0
    due = Quote.objects.filter(
        status__in=[QuoteStatus.APPROVED, QuoteStatus.SENT], valid_until__lt=today, is_current=True
    ).order_by("pk")
    for quote in due.iterator():
        transition(quote, "expire", actor=None)
        count += 1
    return count


def price_for(quote: Quote, product: Product) -> Money | None:
    applied = applicable_price(
        product,
        currency=quote.currency,
        day=quote.quote_date,
        level=quote.customer.level,
        price_list=quote.price_list,
    )
    return applied.price if applied else None


__all__ = [
    "LineInput",
    "PriceList",
    "attach_pdf_to_deal",
    "create_quote",
    "expire_quotes",
    "mark_deal_won_from_quote",
    "price_for",
    "recalculate_quote",
    "revise_quote",
    "save_quote_lines",
]
