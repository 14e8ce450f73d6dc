"""UI template tags: inline Tabler icons, avatars and small display helpers.

``{% icon "users" %}`` copies the icon's drawing out of the vendored Tabler sprite into an inline
``<svg>`` — inline SVG needs no extra request, inherits ``currentColor`` and is allowed by our
strict CSP (an external ``<use href>`` would be too, but cannot be styled per page and breaks
when the sprite is served from another origin). The sprite is parsed once per process.
"""

from __future__ import annotations

import logging
import re
import threading
import zlib
from typing import Any

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
logger = logging.getLogger(__name__)

SPRITE_PATH = "vendor/tabler-sprite.svg"
_SYMBOL = re.compile(r'<symbol id="tabler-([a-z0-9-]+)"([^>]*)>(.*?)</symbol>', re.DOTALL)
_ATTRS_KEPT = re.compile(r'\s(viewBox|fill|stroke|stroke-width|stroke-linecap|stroke-linejoin)="[^"]*"')
# The Tabler "bounding box" path draws nothing; dropping it keeps pages smaller.
_EMPTY_PATH = '<path stroke="none" d="M0 0h24v24H0z" fill="none" />'

_icons: dict[str, tuple[str, str]] | None = None
_lock = threading.Lock()
AVATAR_COLOURS = 8


class UnknownIcon(ValueError):
    """A template asked for an icon name the Tabler sprite does not have."""


def _load_icons() -> dict[str, tuple[str, str]]:
    """Map icon name → (kept svg attributes, inner markup); empty if the sprite is missing."""
    global _icons
    if _icons is not None:
        return _icons
    with _lock:
        if _icons is None:
            path = finders.find(SPRITE_PATH)
            if not path:
                logger.warning(
                    "Icon sprite %s not found; run the front-end vendoring step. "
                    "Icons render as nothing until then.",
                    SPRITE_PATH,
                )
                _icons = {}
            else:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                _icons = {
                    name: (
                        "".join(m.group(0) for m in _ATTRS_KEPT.finditer(attrs)),
                        inner.replace(_EMPTY_PATH, "").strip(),
                    )
                    for name, attrs, inner in _SYMBOL.findall(text)
                }
    return _icons


def render_icon(name: str, css_class: str = "", label: str = "") -> SafeString:
    """The inline ``<svg>`` of one Tabler icon (``label`` makes it announced instead of hidden)."""
    icons = _load_icons()
    found = icons.get(name)
    if found is None:
        if icons and (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise UnknownIcon(f"Unknown icon {name!r}: use a Tabler icon name (https://tabler.io/icons)")
        return mark_safe("")
    attrs, inner = found
    classes = f"icon {css_class}".strip()
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    # attrs and inner come from the vendored sprite file, not from users.
    return mark_safe(f'<svg class="{escape(classes)}"{attrs} {a11y}>{inner}</svg>')  # noqa: S308


@register.simple_tag
def icon(name: str, **kwargs: Any) -> SafeString:
    """``{% icon "users" %}``, ``{% icon "plus" class="icon-sm" %}``, ``{% icon "x" label=_("Close") %}``."""
    return render_icon(name, kwargs.get("class", ""), str(kwargs.get("label", "")))


def avatar_colour(key: str) -> int:
    """A stable colour number (1..8) for a user, so the same person always looks the same."""
    return zlib.crc32(key.encode("utf-8")) % AVATAR_COLOURS + 1


@register.simple_tag
def avatar(user: Any, size: str = "") -> SafeString:
    """Initials in a coloured circle: ``{% avatar user %}``, ``{% avatar user "lg" %}``."""
    if user is None:
        return mark_safe("")
    initials = getattr(user, "initials", None) or str(user)[:1].upper() or "?"
    colour = avatar_colour(str(getattr(user, "pk", "") or user))
    size_class = f" avatar-{size}" if size else ""
    return format_html(
        '<span class="avatar avatar-c{}{}" title="{}" aria-hidden="true">{}</span>',
        colour,
        size_class,
        str(user),
        initials,
    )


BADGE_COLOURS = {"slate", "red", "orange", "amber", "green", "teal", "blue", "indigo", "purple", "pink"}


@register.filter
def badge(value: Any, colour: str = "slate") -> SafeString:
    """``{{ deal.stage|badge:"blue" }}`` → a coloured pill; unknown colours fall back to slate."""
    colour = colour if colour in BADGE_COLOURS else "slate"
    return format_html('<span class="badge badge-{}">{}</span>', colour, value)


@register.filter
def base_money(value: Any) -> str:
    """``{{ line.won|base_money }}``: an amount in the company currency (a report's sum of
    ``<name>_base`` amounts) as every money value reads — ``¥1,234.50`` on Chinese pages,
    ``CNY 1,234.50`` on English ones (``Money.format``, as MoneyColumn shows deal amounts); a
    ``Money`` keeps its own currency; "" for None."""
    from guanxi.framework.money import Money, company_currency

    if value is None or value == "":
        return ""
    money = value if isinstance(value, Money) else Money(value, company_currency())
    return money.format()


@register.simple_tag(takes_context=True)
def ruled(context: template.Context, obj: Any, name: str, shown: Any) -> Any:
    """``{% ruled line "unit_price" line.unit_price|money %}``: ``shown`` (field ``name`` of
    ``obj``, formatted by the page) as the signed-in user may read it — masked under a masked
    rule, "" under a hidden one (``fieldaccess.display``; a quote line's money under its quote's
    grand total, ``fieldaccess.RollUp``). For a page that lays a record's fields out by hand."""
    from guanxi.framework.fieldaccess import display

    request = context.get("request")
    value = display(getattr(request, "user", None), type(obj), name, shown)
    return "" if value is None else value


@register.filter
def initials(user: Any) -> str:
    return getattr(user, "initials", "") or str(user)[:1].upper()


@register.simple_tag(takes_context=True)
def label(context: template.Context, obj: Any) -> str:
    """``{% label object %}``: a record's label as the signed-in user may read it
    (``fieldaccess.label``: a lead's company hidden from them is left out)."""
    from guanxi.framework.fieldaccess import label as reader_label

    request = context.get("request")
    return reader_label(getattr(request, "user", None), obj) if obj is not None else ""


@register.simple_tag(takes_context=True)
def active_if(context: template.Context, url: str, css_class: str = "active") -> str:
    """``class="tab {% active_if url %}"``: the class when the current page is ``url`` or below it."""
    request = context.get("request")
    if request is None or not url:
        return ""
    path = request.path
    if url == "/":
        return css_class if path == "/" else ""
    return css_class if path == url or path.startswith(url.rstrip("/") + "/") else ""


@register.filter(name="zip")
def zip_with(labels: Any, values: Any) -> list[tuple[Any, Any]]:
    """``{% for label, cell in report.columns|zip:row.cells %}``: each cell with its column's
    heading, for the ``data-label`` a phone's card layout shows above the value."""
    return list(zip(labels or (), values or (), strict=False))


@register.filter
def minutes(value: Any) -> int:
    """A ``timedelta`` as whole minutes, rounded up (``15`` for a 15-minute lockout)."""
    try:
        seconds = value.total_seconds()
    except AttributeError:
        return 0
    return int(-(-seconds // 60))


@register.filter
def phone(value: Any) -> str:
    """``{{ contact.phone|phone }}`` → ``187 9706 4350`` (see customfields.format_phone)."""
    from guanxi.framework.customfields import format_phone

    return format_phone(value)


@register.filter
def tel(value: Any) -> str:
    """``{{ contact.phone|tel }}`` → ``<a href="tel:+8618797064350">187 9706 4350</a>`` ("" when empty).

    Use only on values the reader sees in clear: a masked number is not a number to dial."""
    from guanxi.framework.tables import tel_link

    return tel_link(value)


@register.filter
def mailto(value: Any) -> str:
    """``{{ contact.email|mailto }}`` → a ``mailto:`` link ("" when empty)."""
    from guanxi.framework.tables import mailto_link

    return mailto_link(value)


@register.simple_tag(takes_context=True)
def contact_buttons(context: template.Context, obj: Any) -> SafeString:
    """Call / email icon buttons for a record's phone and email fields the reader sees in clear
    (search results, cards): nothing for masked or hidden fields, or for records without them."""
    from django.utils.html import format_html
    from django.utils.translation import gettext

    from guanxi.framework import fieldaccess
    from guanxi.framework.tables import PHONE_FIELDS, tel_target

    request = context.get("request")
    user = getattr(request, "user", None)
    model = type(obj)
    parts = []
    for name in PHONE_FIELDS:
        value = getattr(obj, name, "") if hasattr(model, name) else ""
        if value and fieldaccess.shows_as_phone(user, model, name):
            label = gettext("Call %(number)s") % {"number": phone(value)}
            parts.append(
                format_html(
                    '<a class="icon-btn contact-call" href="tel:{}" title="{}">{}</a>',
                    tel_target(value),
                    label,
                    render_icon("phone", label=label),
                )
            )
            break
    email = getattr(obj, "email", "") if hasattr(model, "email") else ""
    if email and fieldaccess.shows_as_email(user, model, "email"):
        label = gettext("Email %(address)s") % {"address": email}
        parts.append(
            format_html(
                '<a class="icon-btn contact-mail" href="mailto:{}" title="{}">{}</a>',
                email,
                label,
                render_icon("mail", label=label),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308  (each part built with format_html)
