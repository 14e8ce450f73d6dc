"""Receivables pages: the generic receipt and invoice request pages; the payment plan on the
contract's page (add, edit, void, delete, split into N); a receipt's allocation editor; the
installments list (the overdue list, the aging report's cells); the aging report and its Excel
export; the receivables settings (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.framework.access import can
from guanxi.framework.forms import style_widgets
from guanxi.framework.views import EntityViews
from guanxi.receivables import aging, services
from guanxi.receivables.filtersets import InvoiceRequestFilterSet, ReceiptFilterSet
from guanxi.receivables.forms import (
    InstallmentForm,
    InvoiceRequestForm,
    ReceiptForm,
    ReceivableSettingsForm,
    SplitForm,
)
from guanxi.receivables.models import (
    Installment,
    InstallmentStatus,
    InvoiceRequest,
    Receipt,
    ReceiptStatus,
    ReceivableSettings,
)
from guanxi.receivables.tables import InvoiceRequestTable, ReceiptTable


def _money_rows(rows: list[tuple[str, Any]], obj: Any, name: str) -> list[tuple[str, Any]]:
    from guanxi.contracts.views import _money_details

    return _money_details(rows, obj, name)


class ReceiptViews(EntityViews):
    model = Receipt
    queryset = Receipt.objects.select_related("contract", "customer")
    filterset = ReceiptFilterSet
    form = ReceiptForm
    table = ReceiptTable
    bulk_edit_fields = ("method",)

    @classmethod
    def detail_field_values(cls, obj: Any, user: Any = None) -> list[tuple[str, Any]]:
        labels = {f.name: str(f.verbose_name) for f in Receipt._meta.concrete_fields}
        rows = [(labels["number"], obj.number), (labels["customer"], obj.customer)]
        rows += _money_rows(super().detail_field_values(obj, user), obj, "amount")
        if obj.status != ReceiptStatus.REVERSED:  # the reason shows with who and when, or not at all
            return [row for row in rows if row[0] != labels["reversal_reason"]]
        from django.utils.formats import localize

        return [
            *rows,
            (labels["reversed_by"], obj.reversed_by or "—"),
            (
                labels["reversed_at"],
                localize(timezone.localtime(obj.reversed_at)) if obj.reversed_at else "—",
            ),
        ]


class InvoiceRequestViews(EntityViews):
    model = InvoiceRequest
    queryset = InvoiceRequest.objects.select_related("contract", "customer")
    filterset = InvoiceRequestFilterSet
    form = InvoiceRequestForm
    table = InvoiceRequestTable
    url_prefix = "invoice-requests"
    bulk_edit_fields = ("requested_on",)

    @classmethod
    def detail_field_values(cls, obj: Any, user: Any = None) -> list[tuple[str, Any]]:
        rows = [
            (str(InvoiceRequest._meta.get_field("number").verbose_name), obj.number),
            (str(InvoiceRequest._meta.get_field("customer").verbose_name), obj.customer),
        ]
        return rows + _money_rows(super().detail_field_values(obj, user), obj, "amount")


# -- the plan on the contract's page --------------------------------------------------------------


def _changeable(request: Any, pk: int) -> Any:
    from guanxi.contracts.models import Contract

    contract = get_object_or_404(Contract.objects.restrict(request.user, "view"), pk=pk)
    if not Contract.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied(_("You may not change this contract's payment plan."))
    return contract


def _refusal(request: Any, refused: ValidationError) -> None:
    for text in refused.messages:
        messages.error(request, text)


def _plan_url(contract: Any) -> str:
    return f"{contract.get_absolute_url()}#contract-plan"


@login_required
def plan_installment(request: Any, pk: int, installment_pk: int | None = None) -> HttpResponse:
    """Add (or edit) one installment of the contract's plan."""
    contract = _changeable(request, pk)
    row = get_object_or_404(Installment, pk=installment_pk, contract=contract) if installment_pk else None
    initial = (
        {
            "due_on": row.due_on,
            "amount": row.amount_amount,
            "method": row.method,
            "remind_days": row.remind_days,
            "note": row.note,
        }
        if row is not None
        else {"remind_days": 7}
    )
    form = InstallmentForm(request.POST or None, initial=initial)
    style_widgets(form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                if row is None:
                    services.add_installment(contract, actor=request.user, **data)
                else:
                    services.update_installment(row, actor=request.user, **data)
            except ValidationError as refused:
                for field, texts in refused.message_dict.items():
                    name = "amount" if field == "amount_amount" else field
                    for text in texts:
                        form.add_error(name if name in form.fields else None, text)
            else:
                messages.success(request, _("Saved the payment plan."))
                return HttpResponseRedirect(_plan_url(contract))
    context = {"contract": contract, "form": form, "installment": row}
    return render(request, "receivables/installment_form.html", context, status=status)


@login_required
def plan_split(request: Any, pk: int) -> HttpResponse:
    """Split what is not yet planned into N equal installments (the remainder on the last)."""
    contract = _changeable(request, pk)
    form = SplitForm(request.POST or None, initial={"first_due_on": timezone.localdate(), "count": 3})
    style_widgets(form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rows = services.split_plan(contract, actor=request.user, **form.cleaned_data)
            except ValidationError as refused:
                for field, texts in refused.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, _("Split into %(n)d installments.") % {"n": len(rows)})
                return HttpResponseRedirect(_plan_url(contract))
    return render(request, "receivables/plan_split.html", {"contract": contract, "form": form}, status=status)


@login_required
@require_POST
def plan_void(request: Any, pk: int, installment_pk: int) -> HttpResponse:
    contract = _changeable(request, pk)
    row = get_object_or_404(Installment, pk=installment_pk, contract=contract)
    try:
        services.void_installment(row, actor=request.user)
    except ValidationError as refused:
        _refusal(request, refused)
    else:
        messages.success(request, _("%(installment)s is void.") % {"installment": row})
    return HttpResponseRedirect(_plan_url(contract))


@login_required
@require_POST
def plan_delete(request: Any, pk: int, installment_pk: int) -> HttpResponse:
    contract = _changeable(request, pk)
    row = get_object_or_404(Installment, pk=installment_pk, contract=contract)
    try:
        services.delete_installment(row, actor=request.user)
    except ValidationError as refused:
        _refusal(request, refused)
    else:
        messages.success(request, _("Removed %(installment)s.") % {"installment": row})
    return HttpResponseRedirect(_plan_url(contract))


# -- a receipt's allocation -----------------------------------------------------------------------


@login_required
def receipt_allocation(request: Any, pk: int) -> HttpResponse:
    """Which installments a draft receipt pays: one amount per open installment."""
    receipt = get_object_or_404(
        Receipt.objects.restrict(request.user, "change").select_related("contract"), pk=pk
    )
    if not receipt.is_editable:
        messages.error(request, _("Only a draft receipt's allocation can be changed."))
        return HttpResponseRedirect(receipt.get_absolute_url())
    installments = list(
        Installment.objects.filter(contract_id=receipt.contract_id)
        .exclude(status=InstallmentStatus.VOID)
        .order_by("due_on", "sequence")
    )
    current = {a.installment_id: a.amount for a in receipt.allocations.all()}
    errors: dict[str, list[str]] = {}
    typed: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("oldest_first"):
            wanted = None
        else:
            wanted = []
            for inst in installments:
                text = (request.POST.get(f"installment-{inst.pk}") or "").strip()
                typed[inst.pk] = text
                if text and text not in ("0", "0.00"):
                    wanted.append(services.AllocationInput(inst, text))
        try:
            services.allocate_receipt(receipt, wanted, actor=request.user)
        except ValidationError as refused:
            errors = refused.message_dict
            status = 422
        else:
            messages.success(request, _("Saved the receipt's allocation."))
            return HttpResponseRedirect(receipt.get_absolute_url())
    rows = []
    for n, inst in enumerate(installments, start=1):
        value = typed.get(inst.pk, str(current.get(inst.pk, "")))
        row_errors = errors.get(f"{n}.amount", []) + errors.get(f"{n}.installment", [])
        rows.append({"installment": inst, "value": value, "errors": row_errors})
    general = [t for k, v in errors.items() if not k[:1].isdigit() for t in v]
    context = {"receipt": receipt, "rows": rows, "general_errors": general}
    return render(request, "receivables/receipt_allocation.html", context, status=status)


# -- the installments list and the aging report ---------------------------------------------------


@login_required
def installment_list(request: Any) -> HttpResponse:
    """The installments the reader may see — ``?overdue=1`` the overdue list, ``?where=`` a
    condition (the aging report's cells), ``?status=`` — due date first."""
    rows, problems = aging.installments_for(request.user, request.GET)
    for problem in problems:
        messages.error(request, _("This condition cannot be applied: %(problem)s") % {"problem": problem})
    if request.GET.get("export") == "xlsx":
        return aging.installments_workbook_response(rows)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "page": page,
        "rows": [(row, row.days_overdue(today)) for row in page.object_list],
        "overdue": request.GET.get("overdue") == "1",
        "statuses": InstallmentStatus.choices,
        "status": request.GET.get("status", ""),
        "query": request.GET.urlencode(),
        "filtered": bool(request.GET.get("where") or request.GET.get("status")),
    }
    return render(request, "receivables/installment_list.html", context)


@login_required
def aging_report(request: Any) -> HttpResponse:
    """Receivables aging: not yet due, 1–30, 31–60, 61–90, 90+ days overdue, by customer, owner or
    department; sums of what is still open, in the company currency, in SQL."""
    if not can(request.user, "view", Installment):
        raise PermissionDenied(_("You may not read contracts."))
    by = request.GET.get("by", "customer")
    if by not in aging.GROUPINGS:
        by = "customer"
    today = timezone.localdate()
    if request.GET.get("export") == "xlsx":  # every group, not a page
        return aging.report_workbook_response(aging.report(request.user, by=by, today=today))
    report = aging.report(request.user, by=by, today=today, page=request.GET.get("page") or 1)
    context = {"report": report, "by": by, "groupings": aging.grouping_choices(), "today": today}
    return render(request, "receivables/aging.html", context)


# -- settings -------------------------------------------------------------------------------------


@login_required
def receivable_settings(request: Any) -> HttpResponse:
    """Settings → Receivables: may invoices be requested before the money comes in."""
    if not can(request.user, "change", ReceivableSettings):
        raise PermissionDenied(_("Only administrators may change the receivables settings."))
    current = ReceivableSettings.current()
    form = ReceivableSettingsForm(
        request.POST or None, initial={"allow_invoice_before_payment": current.allow_invoice_before_payment}
    )
    style_widgets(form)
    if request.method == "POST" and form.is_valid():
        services.update_settings(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Receivables settings saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "receivables/settings.html", {"form": form})


@login_required
def overdue_list(request: Any) -> HttpResponse:
    """The overdue list: the installments list with only what is past due (for reps and finance)."""
    params = request.GET.copy()
    params["overdue"] = "1"
    request.GET = params
    return installment_list(request)
