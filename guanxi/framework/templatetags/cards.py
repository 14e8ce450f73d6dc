"""``{% cards "slot" %}``: render the cards modules registered for a slot (guanxi.framework.cards)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from guanxi.framework.cards import card_contexts

register = template.Library()


@register.simple_tag(takes_context=True)
def cards(context: template.Context, slot: str) -> SafeString:
    """Each card's template rendered with the page's context plus its provider's answer."""
    request = context.get("request")
    obj = context.get("object")
    engine = context.template.engine if context.template is not None else template.Engine.get_default()
    parts = []
    for card, data in card_contexts(slot, request, obj):
        with context.push(**data):
            parts.append(engine.get_template(card.template).render(context))
    return mark_safe("".join(parts))  # noqa: S308  (each part is an autoescaped template render)
