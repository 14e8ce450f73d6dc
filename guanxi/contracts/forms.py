"""Contract and order header forms (an order's lines are edited on its page: ``views.order_lines``),
and the administrators' contract settings form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models

from guanxi.contracts.models import Contract, Order
from guanxi.framework.forms import EntityForm

DATE = {"type": "date"}


class ContractForm(EntityForm):
    class Meta:
        model = Contract
        fields = [
            "title",
            "customer",
            "deal",
            "quote",
            "amount_amount",
            "amount_currency",
            "signed_on",
            "starts_on",
            "ends_on",
            "our_signer",
            "customer_signer",
            "terms",
            "owner",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "starts_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from guanxi.customers.models import Contact, Customer
        from guanxi.quotes.models import Quote
        from guanxi.sales.models import Deal

        pickable = (("customer", Customer), ("deal", Deal), ("quote", Quote), ("customer_signer", Contact))
        for name, model in pickable:
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = (
                    model.objects.restrict(user, "view") if user is not None else model.objects.none()
                )
        quote = self.fields.get("quote")
        if isinstance(quote, forms.ModelChoiceField) and quote.queryset is not None:
            quote.queryset = quote.queryset.filter(status="accepted")


class OrderForm(EntityForm):
    class Meta:
        model = Order
        fields = ["customer", "contract", "order_date", "channel", "currency", "notes", "owner"]
        widgets = {"order_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from guanxi.customers.models import Customer

        for name, model in (("customer", Customer), ("contract", Contract)):
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = (
                    model.objects.restrict(user, "view") if user is not None else model.objects.none()
                )


class ContractSettingsForm(forms.Form):
    """Settings → Contracts: the number pattern and the renewal reminder."""

    number_pattern = forms.CharField(max_length=100)
    renewal_reminder_days = forms.IntegerField(min_value=0, max_value=365)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from guanxi.contracts.models import ContractSettings

        super().__init__(*args, **kwargs)
        for name in self.fields:
            model_field = cast(models.Field, ContractSettings._meta.get_field(name))
            self.fields[name].label = model_field.verbose_name
            self.fields[name].help_text = model_field.help_text
