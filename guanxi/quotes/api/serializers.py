from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.framework.api.serializers import EntitySerializer, RuledLinesMixin
from guanxi.quotes.models import Quote, QuoteLine

MONEY_TOTALS = ("subtotal", "discount_total", "tax_total", "grand_total")


class QuoteLineSerializer(RuledLinesMixin, serializers.ModelSerializer):
    """A line as read (lines are written all at once: ``PUT …/quotes/{id}/lines/``)."""

    unit_price = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "position",
            "product",
            "description",
            "unit",
            "quantity",
            "unit_price",
            "discount_percent",
            "tax_rate",
            "total",
        ]

    def get_unit_price(self, line: QuoteLine) -> dict[str, str] | None:
        return line.unit_price.to_json() if line.unit_price is not None else None

    def get_total(self, line: QuoteLine) -> dict[str, str] | None:
        return line.total.to_json() if line.total is not None else None


class LineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_percent = serializers.CharField(required=False, allow_blank=True)
    tax_rate = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class QuoteSerializer(EntitySerializer):
    lines = QuoteLineSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta(EntitySerializer.Meta):
        model = Quote
        fields = [
            "number",
            "version",
            "is_current",
            "title",
            "deal",
            "customer",
            "price_list",
            "currency",
            "quote_date",
            "valid_until",
            "terms",
            "invoice_title",
            "tax_number",
            "invoice_address",
            "invoice_phone",
            "bank_name",
            "bank_account",
            *MONEY_TOTALS,
            "status",
            "rejection_reason",
            "sent_at",
            "lines",
            "pdf_url",
        ]
        read_only_fields = ["customer", "rejection_reason", *MONEY_TOTALS]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name in MONEY_TOTALS:
            fields[name].read_only = True
        return fields

    def get_pdf_url(self, quote: Quote) -> str:
        path = reverse("quotes:quote_pdf", args=[quote.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def validate_deal(self, deal: Any) -> Any:
        request = self.context.get("request")
        if self.instance is not None and deal is not None and deal.pk != self.instance.deal_id:
            raise serializers.ValidationError(_("A quote stays on its deal."))
        if request is not None:
            from guanxi.sales.models import Deal

            if not Deal.objects.restrict(request.user, "view").filter(pk=deal.pk).exists():
                raise serializers.ValidationError(_("Choose a deal you can see."))
        return deal
