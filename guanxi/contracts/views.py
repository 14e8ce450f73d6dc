"""Contract and order pages: the generic list/detail/edit, an order's lines editor, the contract
from an accepted quote, an order from a contract, the renewal deal, and the contract settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.contracts import services
from guanxi.contracts.filtersets import ContractFilterSet, OrderFilterSet
from guanxi.contracts.forms import ContractForm, ContractSettingsForm, OrderForm
from guanxi.contracts.models import MAX_LINES, Contract, ContractSettings, Order
from guanxi.contracts.tables import ContractTable, OrderTable
from guanxi.framework.access import can
from guanxi.framework.forms import style_widgets
from guanxi.framework.views import EntityViews
from guanxi.products.models import Product

LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent")
BLANK_ROWS = 3


def _money_details(rows: list[tuple[str, Any]], obj: Any, name: str) -> list[tuple[str, Any]]:
    """The profile's rows with a money field as one formatted amount (``¥1,234.50``) instead of
    its amount and currency columns; a masked amount (field rules) stays masked."""
    meta = obj._meta
    amount_label = str(meta.get_field(f"{name}_amount").verbose_name)
    currency_label = str(meta.get_field(f"{name}_currency").verbose_name)
    money = getattr(obj, name)
    out = []
    for label, value in rows:
        if label == currency_label:
            continue
        if label == amount_label and money is not None and not getattr(value, "is_masked", False):
            value = money.format()
        out.append((label, value))
    return out


class ContractViews(EntityViews):
    model = Contract
    queryset = Contract.objects.select_related("customer", "deal", "quote", "our_signer", "customer_signer")
    filterset = ContractFilterSet
    form = ContractForm
    table = ContractTable
    bulk_edit_fields = ("ends_on",)

    @classmethod
    def detail_field_values(cls, obj: Any, user: Any = None) -> list[tuple[str, Any]]:
        rows = [(str(Contract._meta.get_field("number").verbose_name), obj.number)]
        return rows + _money_details(super().detail_field_values(obj, user), obj, "amount")


class OrderViews(EntityViews):
    model = Order
    queryset = Order.objects.select_related("customer", "contract")
    filterset = OrderFilterSet
    form = OrderForm
    table = OrderTable
    detail_template = "contracts/order_detail.html"
    bulk_edit_fields = ("channel",)

    @classmethod
    def detail_field_values(cls, obj: Any, user: Any = None) -> list[tuple[str, Any]]:
        rows = [(str(Order._meta.get_field("number").verbose_name), obj.number)]
        return rows + _money_details(super().detail_field_values(obj, user), obj, "total")


def _refusal_messages(request: Any, refused: ValidationError) -> None:
    for text in refused.messages:
        messages.error(request, text)


@login_required
@require_POST
def contract_from_quote(request: Any, quote_pk: int) -> HttpResponse:
    """Create the contract (and, when asked, the order) from an accepted quote."""
    from guanxi.quotes.models import Quote

    quote = get_object_or_404(Quote.objects.restrict(request.user, "view"), pk=quote_pk)
    with_order = request.POST.get("with_order") in ("1", "on", "true")
    try:
        contract, order = services.create_contract_from_quote(
            quote, actor=request.user, with_order=with_order
        )
    except ValidationError as refused:
        _refusal_messages(request, refused)
        return HttpResponseRedirect(quote.get_absolute_url())
    if order is not None:
        messages.success(
            request,
            _("Created contract %(contract)s and order %(order)s from the quote.")
            % {"contract": contract.number, "order": order.number},
        )
    else:
        messages.success(
            request, _("Created contract %(contract)s from the quote.") % {"contract": contract.number}
        )
    return HttpResponseRedirect(contract.get_absolute_url())


@login_required
@require_POST
def contract_order(request: Any, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.restrict(request.user, "view"), pk=pk)
    try:
        order = services.create_order_from_contract(contract, actor=request.user)
    except ValidationError as refused:
        _refusal_messages(request, refused)
        return HttpResponseRedirect(contract.get_absolute_url())
    messages.success(request, _("Created order %(order)s for the contract.") % {"order": order.number})
    return HttpResponseRedirect(order.get_absolute_url())


@login_required
@require_POST
def contract_renew(request: Any, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.restrict(request.user, "view"), pk=pk)
    try:
        deal = services.create_renewal_deal(contract, actor=request.user)
    except ValidationError as refused:
        _refusal_messages(request, refused)
        return HttpResponseRedirect(contract.get_absolute_url())
    messages.success(request, _("Created the renewal deal “%(deal)s”.") % {"deal": deal})
    return HttpResponseRedirect(deal.get_absolute_url())


def _rows_from_post(
    post: Any,
) -> tuple[list[dict[str, str]], list[services.OrderLineInput], dict[str, list[str]]]:
    """The editor's rows as typed (to show again) and as service inputs (empty rows skipped)."""
    try:
        count = min(int(post.get("rows", "0") or 0), MAX_LINES + BLANK_ROWS + 1)
    except ValueError:
        count = 0
    typed: list[dict[str, str]] = []
    inputs: list[services.OrderLineInput] = []
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
            services.OrderLineInput(
                product=product,
                description=row["description"],
                quantity=row["quantity"],
                unit_price=row["unit_price"] or None,
                discount_percent=row["discount_percent"] or 0,
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
def order_lines(request: Any, pk: int) -> HttpResponse:
    """The lines editor of a draft order: every row saved at once, or none with the messages."""
    order = get_object_or_404(
        Order.objects.restrict(request.user, "change").select_related("customer"), pk=pk
    )
    if not order.is_editable:
        messages.error(request, _("Only a draft order can be edited."))
        return HttpResponseRedirect(order.get_absolute_url())
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        typed, inputs, errors = _rows_from_post(request.POST)
        if not errors:
            try:
                services.save_order_lines(order, inputs, actor=request.user)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Saved the order's lines."))
                return HttpResponseRedirect(order.get_absolute_url())
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
            }
            for line in order.lines.all()
        ]
    try:
        extra = (
            int(request.GET.get("extra", BLANK_ROWS) or BLANK_ROWS) if request.method == "GET" else BLANK_ROWS
        )
    except ValueError:
        extra = BLANK_ROWS
    rows = rows + [dict.fromkeys(LINE_FIELDS, "") for _i in range(max(0, min(extra, 50)))]
    by_row, general = _row_errors(errors)
    numbered = [(i, row, by_row.get(i + 1, {})) for i, row in enumerate(rows)]
    products = Product.objects.filter(is_active=True).only("pk", "sku", "name", "name_en")
    context = {
        "order": order,
        "rows": numbered,
        "row_count": len(rows),
        "products": products,
        "general_errors": general,
    }
    return render(request, "contracts/order_lines.html", context, status=status)


@login_required
def contract_settings(request: Any) -> HttpResponse:
    """Settings → Contracts: the number pattern and the renewal reminder (administrators)."""
    if not can(request.user, "change", ContractSettings):
        raise PermissionDenied(_("Only administrators may change the contract settings."))
    current = ContractSettings.current()
    form = ContractSettingsForm(
        request.POST or None,
        initial={
            "number_pattern": current.number_pattern,
            "renewal_reminder_days": current.renewal_reminder_days,
        },
    )
    style_widgets(form)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contract_settings(
                actor=request.user,
                number_pattern=form.cleaned_data["number_pattern"],
                renewal_reminder_days=form.cleaned_data["renewal_reminder_days"],
            )
        except ValidationError as refused:
            for field, texts in refused.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(request, _("Contract settings saved."))
            return HttpResponseRedirect(request.path)
    if request.method == "POST":
        status = 422
    from guanxi.framework.numbering import preview

    try:
        example = preview(current.number_pattern)
    except ValidationError:
        example = ""
    return render(request, "contracts/settings.html", {"form": form, "example": example}, status=status)
