"""The lead Convert page offers to create a deal with the customer (a ``ConversionExtra``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.leads.services.leads import ConversionExtra, register_conversion_extra
from guanxi.framework.access import can


class DealFromLead(ConversionExtra):
    def fields(self, user: Any) -> dict[str, Any]:
        from guanxi.sales.models import Deal, Pipeline

        if user is None or not can(user, "add", Deal):
            return {}
        # Until an administrator has set up a default pipeline there is nowhere to put the deal:
        # offering it would only turn the conversion into an error.
        if not Pipeline.objects.filter(is_default=True, active=True, stages__kind="open").exists():
            return {}
        return {
            "create_deal": forms.BooleanField(required=False, initial=True, label=_("Also create a deal")),
            "deal_name": forms.CharField(required=False, max_length=200, label=_("Deal name")),
            "deal_amount": forms.DecimalField(
                required=False, min_value=0, max_digits=18, decimal_places=2, label=_("Deal amount")
            ),
        }

    def apply(self, lead: Any, customer: Any, contact: Any, values: dict[str, Any], *, actor: Any) -> None:
        if not values.get("create_deal"):
            return
        from guanxi.sales.services import create_deal_from_lead

        name = (values.get("deal_name") or "").strip() or str(customer)
        create_deal_from_lead(
            lead, customer, contact, actor=actor, name=name, amount=values.get("deal_amount")
        )


register_conversion_extra(DealFromLead())
