"""The quote's printable page and its PDF (WeasyPrint; fonts from Debian's fonts-noto-cjk).

The PDF is rendered from the same template as the printable page. Nothing is fetched over the
network: the only resources are the company logo, read from disk, and the system fonts."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

STYLESHEET = Path(__file__).resolve().parent / "static/quotes/quote_print.css"


class PdfRefused(Exception):
    """The PDF cannot be made (the renderer failed); the message says so in the user's language."""


def logo_data_uri() -> str:
    """The company logo as a ``data:`` URI (so the renderer never opens a URL)."""
    path = (
        Path(settings.COMPANY_LOGO)
        if settings.COMPANY_LOGO
        else Path(__file__).resolve().parent.parent / "static/img/logo.svg"
    )
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    mime = mimetypes.guess_type(path.name)[0] or "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def print_context(quote: Any) -> dict[str, Any]:
    lines = list(quote.lines.select_related("product").order_by("position", "pk"))
    return {
        "quote": quote,
        "lines": lines,
        "company_name": settings.COMPANY_NAME,
        "logo": logo_data_uri(),
        "language": translation.get_language(),
    }


def render_quote_html(quote: Any, *, for_pdf: bool = False) -> str:
    return render_to_string("quotes/quote_print.html", {**print_context(quote), "for_pdf": for_pdf})


def render_quote_pdf(quote: Any) -> bytes:
    """The PDF bytes of ``quote`` in the active language."""
    import weasyprint
    import weasyprint.urls

    html = render_quote_html(quote, for_pdf=True)
    try:
        # Only data: URIs (the logo): the PDF never fetches anything over the network.
        fetcher = weasyprint.urls.URLFetcher(allowed_protocols=["data"])
        sheet = weasyprint.CSS(filename=str(STYLESHEET))
        return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[sheet])
    except Exception as exc:  # a renderer failure is a refusal with a message, never a 500
        from django.utils.translation import gettext as _

        raise PdfRefused(_("The PDF could not be made: %(error)s") % {"error": exc}) from exc


def pdf_filename(quote: Any) -> str:
    return f"{quote.number}-v{quote.version}.pdf"
