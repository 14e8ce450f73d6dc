"""The quote's header form (its lines are edited on the quote's page: ``views.quote_lines``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.framework.forms import EntityForm
from guanxi.products.models import PriceList
from guanxi.quotes.models import Quote


class QuoteForm(EntityForm):
    class Meta:
        model = Quote
        fields = [
            "deal",
            "title",
            "currency",
            "price_list",
            "quote_date",
            "valid_until",
            "terms",
            "invoice_title",
            "tax_number",
            "invoice_address",
            "invoice_phone",
            "bank_name",
            "bank_account",
            "owner",
        ]
        widgets = {
            "quote_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from guanxi.sales.models import Deal

        deal = self.fields.get("deal")
        if isinstance(deal, forms.ModelChoiceField):
            deal.queryset = Deal.objects.restrict(user, "view") if user is not None else Deal.objects.none()
            if self.instance.pk is not None:
                deal.disabled = True
        price_list = self.fields.get("price_list")
        if isinstance(price_list, forms.ModelChoiceField):
            price_list.queryset = PriceList.objects.filter(is_active=True)
        if "valid_until" in self.fields:
            self.fields["valid_until"].help_text = _("Empty: 30 days after the quote date.")


class LineForm(forms.Form):
    """One row of the lines editor (empty rows are skipped)."""

    product = forms.IntegerField(required=False)
    description = forms.CharField(required=False, max_length=500)
    quantity = forms.CharField(required=False)
    unit_price = forms.CharField(required=False)
    discount_percent = forms.CharField(required=False)
    tax_rate = forms.CharField(required=False)
