"""Quote pages: the generic list/detail/edit, the lines editor, print page, PDF, revise, attach."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.framework import fieldaccess
from guanxi.framework.views import EntityViews
from guanxi.products.models import Product
from guanxi.quotes import services
from guanxi.quotes.filtersets import QuoteFilterSet
from guanxi.quotes.forms import LineForm, QuoteForm
from guanxi.quotes.models import MAX_LINES, Quote
from guanxi.quotes.pdf import PdfRefused, pdf_filename, render_quote_html, render_quote_pdf
from guanxi.quotes.tables import QuoteTable

# The totals the lines add up to: the lines card shows them under the lines (the profile panel
# showed them a second time, above the lines they sum).
TOTALS = ("subtotal", "discount_total", "tax_total", "grand_total")
LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent", "tax_rate")
BLANK_ROWS = 3


class QuoteViews(EntityViews):
    model = Quote
    queryset = Quote.objects.select_related("deal", "customer")
    filterset = QuoteFilterSet
    form = QuoteForm
    table = QuoteTable
    detail_template = "quotes/quote_detail.html"
    detail_fields = tuple(
        f.name
        for f in Quote._meta.concrete_fields
        if f.editable
        and f.name not in ("id", "custom_field_data")
        and not any(f.name in (f"{t}_amount", f"{t}_currency") for t in TOTALS)
    )
    bulk_edit_fields = ("valid_until",)


def _quote(request: Any, pk: int, action: str = "view") -> Quote:
    return get_object_or_404(
        Quote.objects.restrict(request.user, action).select_related("deal", "customer", "price_list"), pk=pk
    )


def _rows_from_post(post: Any) -> tuple[list[dict[str, str]], list[services.LineInput], dict[str, list[str]]]:
    """The editor's rows as typed (to show again) and as service inputs (empty rows skipped)."""
    try:  # the editor's hidden row count; a crafted one reads as no rows (as the order editor)
        count = min(int(post.get("rows", "0") or 0), MAX_LINES + BLANK_ROWS + 1)
    except ValueError:
        count = 0
    typed: list[dict[str, str]] = []
    inputs: list[services.LineInput] = []
    errors: dict[str, list[str]] = {}
    product_ids = {post.get(f"line-{i}-product") for i in range(count)} - {None, ""}
    products = {str(p.pk): p for p in Product.objects.filter(pk__in=[p for p in product_ids if p.isdigit()])}
    for i in range(count):
        row = {name: (post.get(f"line-{i}-{name}") or "").strip() for name in LINE_FIELDS}
        if not any(row.values()):
            continue
        typed.append(row)
        n = len(typed)
        product = products.get(row["product"])
        if row["product"] and product is None:
            errors.setdefault(f"{n}.product", []).append(_("Choose a product from the list."))
        inputs.append(
            services.LineInput(
                product=product,
                description=row["description"],
                quantity=row["quantity"],
                unit_price=row["unit_price"] or None,
                discount_percent=row["discount_percent"] or 0,
                tax_rate=row["tax_rate"] or None,
            )
        )
    return typed, inputs, errors


def _row_errors(errors: dict[str, list[str]]) -> tuple[dict[int, dict[str, list[str]]], list[str]]:
    by_row: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    for key, texts in errors.items():
        head, _sep, field = key.partition(".")
        if head.isdigit() and field:
            by_row.setdefault(int(head), {}).setdefault(field, []).extend(texts)
        else:
            general.extend(texts)
    return by_row, general


@login_required
def quote_lines(request: Any, pk: int) -> HttpResponse:
    """The lines editor of a draft: every row saved at once, or none with the messages at the rows."""
    quote = _quote(request, pk, "change")
    _refuse_unreadable_amounts(request.user)  # the editor shows every line's price
    if not quote.is_editable:
        messages.error(request, _("Only the current draft of a quote can change."))
        return HttpResponseRedirect(quote.get_absolute_url())
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed, inputs, errors = _rows_from_post(request.POST)
        if not errors:
            try:
                services.save_quote_lines(quote, inputs, actor=request.user)
            except ValidationError as exc:
                errors = exc.message_dict
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("Saved the quote's lines."))
                return HttpResponseRedirect(quote.get_absolute_url())
        status = 422
        rows = typed
    else:
        rows = [
            {
                "product": str(line.product_id or ""),
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "unit_price": f"{line.unit_price_amount}",
                "discount_percent": f"{line.discount_percent.normalize():f}",
                "tax_rate": f"{line.tax_rate.normalize():f}",
            }
            for line in quote.lines.all()
        ]
    extra = int(request.GET.get("extra", BLANK_ROWS) or BLANK_ROWS) if request.method == "GET" else BLANK_ROWS
    rows = rows + [dict.fromkeys(LINE_FIELDS, "") for _i in range(max(0, min(extra, 50)))]
    by_row, general = _row_errors(errors)
    numbered = [(i, row, by_row.get(i + 1, {})) for i, row in enumerate(rows)]
    products = Product.objects.filter(is_active=True).only("pk", "sku", "name", "name_en")
    context = {
        "quote": quote,
        "rows": numbered,
        "row_count": len(rows),
        "products": products,
        "general_errors": general,
    }
    context["form"] = LineForm()
    return render(request, "quotes/quote_lines.html", context, status=status)


def _language(request: Any) -> str:
    lang = request.GET.get("lang", "")
    codes = [code for code, _name in settings.LANGUAGES]
    return lang if lang in codes else translation.get_language()


def _document(request: Any, pk: int) -> Quote:
    """The quote as its customer document (print page, PDF, the PDF attached to the deal): the
    full amounts, made by someone who may read them. A reader whose field rules mask or hide the
    grand total (so its lines too, ``QuoteLine.rolls_up_into``) is refused rather than handed a
    document with asterisks in place of prices."""
    quote = _quote(request, pk)
    _refuse_unreadable_amounts(request.user)
    return quote


def amounts_readable(user: Any) -> bool:
    """Whether ``user`` reads quotes' money in clear: pages that show it all (the document, the
    lines editor with its prices) are not for a reader whose rules mask or hide the grand total.
    The quote page asks it too, to leave out the buttons to those pages."""
    return "grand_total" not in fieldaccess.unreadable(user, Quote)


def _refuse_unreadable_amounts(user: Any) -> None:
    if not amounts_readable(user):
        raise PermissionDenied(_("You may not read this quote's amounts in full."))


@login_required
def quote_print(request: Any, pk: int) -> HttpResponse:
    quote = _document(request, pk)
    with translation.override(_language(request)):
        return HttpResponse(render_quote_html(quote))


@login_required
def quote_pdf(request: Any, pk: int) -> HttpResponse:
    """The quote's PDF (``?lang=en`` or ``zh-hans`` to choose the language)."""
    quote = _document(request, pk)
    with translation.override(_language(request)):
        try:
            pdf = render_quote_pdf(quote)
        except PdfRefused as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(quote.get_absolute_url())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(quote)}"'
    return response


@login_required
@require_POST
def quote_attach_pdf(request: Any, pk: int) -> HttpResponse:
    quote = _document(request, pk)
    try:
        services.attach_pdf_to_deal(quote, actor=request.user)
    except (ValidationError, PdfRefused) as refused:
        for text in getattr(refused, "messages", [str(refused)]):
            messages.error(request, text)
    else:
        messages.success(request, _("The PDF is attached to the deal “%(deal)s”.") % {"deal": quote.deal})
    return HttpResponseRedirect(quote.get_absolute_url())


@login_required
@require_POST
def quote_revise(request: Any, pk: int) -> HttpResponse:
    quote = _quote(request, pk, "change")
    try:
        new = services.revise_quote(quote, actor=request.user)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
        return HttpResponseRedirect(quote.get_absolute_url())
    messages.success(
        request,
        _("Version %(n)d is a new draft; version %(old)d stays as it was.")
        % {"n": new.version, "old": quote.version},
    )
    return HttpResponseRedirect(new.get_absolute_url())
