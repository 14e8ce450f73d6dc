"""Filters for quote pages and PDFs: money in the page's language, quantities, percentages."""

from __future__ import annotations

import decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """``¥1,234.50`` on Chinese pages, ``CNY 1,234.50`` on English ones (``Money.format``)."""
    return "" if value is None else value.format()


@register.filter
def quantity(value: Any) -> str:
    """``3`` for 3.000, ``2.5`` for 2.500."""
    if value is None:
        return ""
    text = format(decimal.Decimal(value).normalize(), "f")
    return text


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return ""
    return f"{format(decimal.Decimal(value).normalize(), 'f')}%"


@register.simple_tag(takes_context=True)
def quote_versions(context: Any, quote: Any) -> Any:
    """Every version of ``quote`` the reader may view, oldest first."""
    from guanxi.quotes.models import Quote

    user = context["request"].user
    return Quote.objects.restrict(user, "view").filter(number=quote.number).order_by("version")


@register.simple_tag(takes_context=True)
def quote_amounts_readable(context: Any) -> bool:
    """``views.amounts_readable`` for the page's reader: the lines editor's and the document's
    buttons show only to those the pages behind them would serve."""
    from guanxi.quotes.views import amounts_readable

    return amounts_readable(context["request"].user)
