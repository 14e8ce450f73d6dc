from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.contracts.models import Contract, Order, OrderLine
from guanxi.framework.api.serializers import EntitySerializer, RuledLinesMixin


def _visible(request: Any, model: Any, obj: Any, message: str) -> Any:
    if (
        obj is not None
        and request is not None
        and not model.objects.restrict(request.user, "view").filter(pk=obj.pk).exists()
    ):
        raise serializers.ValidationError(message)
    return obj


class ContractSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Contract
        fields = [
            "number",
            "title",
            "customer",
            "deal",
            "quote",
            "amount",
            "signed_on",
            "starts_on",
            "ends_on",
            "our_signer",
            "customer_signer",
            "terms",
            "discount_percent",
            "status",
            "termination_reason",
            "terminated_at",
            "renewal_deal",
        ]
        read_only_fields = [
            "number",
            "discount_percent",
            "termination_reason",
            "terminated_at",
            "renewal_deal",
        ]

    def validate_customer(self, customer: Any) -> Any:
        from guanxi.customers.models import Customer

        return _visible(self.context.get("request"), Customer, customer, _("Choose a customer you can see."))

    def validate_deal(self, deal: Any) -> Any:
        from guanxi.sales.models import Deal

        return _visible(self.context.get("request"), Deal, deal, _("Choose a deal you can see."))

    def validate_quote(self, quote: Any) -> Any:
        from guanxi.quotes.models import Quote

        return _visible(self.context.get("request"), Quote, quote, _("Choose a quote you can see."))


class OrderLineSerializer(RuledLinesMixin, serializers.ModelSerializer):
    """A line as read (lines are written all at once: ``PUT …/orders/{id}/lines/``)."""

    unit_price = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "position",
            "product",
            "description",
            "quantity",
            "unit_price",
            "discount_percent",
            "total",
        ]

    def get_unit_price(self, line: OrderLine) -> dict[str, str] | None:
        return line.unit_price.to_json() if line.unit_price is not None else None

    def get_total(self, line: OrderLine) -> dict[str, str] | None:
        return line.total.to_json() if line.total is not None else None


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_percent = serializers.CharField(required=False, allow_blank=True)


class OrderSerializer(EntitySerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(EntitySerializer.Meta):
        model = Order
        fields = [
            "number",
            "customer",
            "contract",
            "order_date",
            "channel",
            "currency",
            "total",
            "status",
            "cancellation_reason",
            "fulfilled_at",
            "notes",
            "lines",
        ]
        read_only_fields = ["number", "cancellation_reason", "fulfilled_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["total"].read_only = True
        return fields

    def validate_customer(self, customer: Any) -> Any:
        from guanxi.customers.models import Customer

        return _visible(self.context.get("request"), Customer, customer, _("Choose a customer you can see."))

    def validate_contract(self, contract: Any) -> Any:
        return _visible(self.context.get("request"), Contract, contract, _("Choose a contract you can see."))
