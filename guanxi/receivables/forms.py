"""Receipt and invoice request forms (the contract picker offers signed contracts the writer can
see), the payment plan's installment and split forms, and the receivables settings form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.framework.forms import EntityForm
from guanxi.receivables.models import MAX_INSTALLMENTS, MAX_REMIND_DAYS, InvoiceRequest, Receipt

DATE = {"type": "date"}


def _signed_contracts(user: Any) -> Any:
    from guanxi.contracts.models import SIGNED_STATUSES, Contract

    if user is None:
        return Contract.objects.none()
    return (
        Contract.objects.restrict(user, "view").filter(status__in=SIGNED_STATUSES).select_related("customer")
    )


class ReceiptForm(EntityForm):
    class Meta:
        model = Receipt
        fields = [
            "contract",
            "received_on",
            "amount_amount",
            "amount_currency",
            "method",
            "payer",
            "reference",
            "note",
        ]
        widgets = {"received_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields.get("contract")
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = _signed_contracts(user)


class InvoiceRequestForm(EntityForm):
    class Meta:
        model = InvoiceRequest
        fields = [
            "contract",
            "kind",
            "amount_amount",
            "amount_currency",
            "title",
            "tax_id",
            "bank_name",
            "bank_account",
            "address",
            "phone",
            "requested_on",
            "receipts",
            "note",
        ]
        widgets = {"requested_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields.get("contract")
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = _signed_contracts(user)
        receipts = self.fields.get("receipts")
        if isinstance(receipts, forms.ModelMultipleChoiceField):
            receipts.queryset = (
                Receipt.objects.restrict(user, "view").filter(status="confirmed")
                if user is not None
                else Receipt.objects.none()
            )
            receipts.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contract, receipts = data.get("contract"), data.get("receipts")
        if contract is not None and receipts and any(r.contract_id != contract.pk for r in receipts):
            self.add_error("receipts", _("Choose receipts of the request's contract."))
        return data


class InstallmentForm(forms.Form):
    """One installment of the plan (added or edited on the contract's page)."""

    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    amount = forms.DecimalField(label=_("amount"), max_digits=18, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=_("payment method"), required=False)
    remind_days = forms.IntegerField(
        label=_("remind (days before)"), min_value=0, max_value=MAX_REMIND_DAYS, initial=7
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from guanxi.core.choices import active_choices
        from guanxi.receivables.choices import METHOD_LIST

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", "---------"), *active_choices(METHOD_LIST)]  # type: ignore[attr-defined]


class SplitForm(forms.Form):
    """Split what is not yet planned into N equal installments."""

    count = forms.IntegerField(label=_("installments"), min_value=1, max_value=MAX_INSTALLMENTS, initial=3)
    first_due_on = forms.DateField(
        label=_("first due date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    every_months = forms.IntegerField(label=_("every (months)"), min_value=0, max_value=24, initial=1)


class ReceivableSettingsForm(forms.Form):
    allow_invoice_before_payment = forms.BooleanField(
        label=_("allow invoicing before payment"), required=False
    )
