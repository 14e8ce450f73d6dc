from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt, ReceiptAllocation


def _visible_contract(request: Any, contract: Any) -> Any:
    from guanxi.contracts.models import Contract

    if (
        contract is not None
        and request is not None
        and not Contract.objects.restrict(request.user, "view").filter(pk=contract.pk).exists()
    ):
        raise serializers.ValidationError(_("Choose a contract you can see."))
    return contract


class AllocationSerializer(serializers.ModelSerializer):
    """Which installment a receipt pays and how much (read; written with ``…/allocate/``)."""

    sequence = serializers.IntegerField(source="installment.sequence", read_only=True)

    class Meta:
        model = ReceiptAllocation
        fields = ["installment", "sequence", "amount"]


class AllocationInputSerializer(serializers.Serializer):
    installment = serializers.IntegerField()
    amount = serializers.CharField()


class ReceiptSerializer(EntitySerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(EntitySerializer.Meta):
        model = Receipt
        fields = [
            "number",
            "contract",
            "customer",
            "received_on",
            "amount",
            "method",
            "payer",
            "reference",
            "note",
            "status",
            "rejection_reason",
            "confirmed_at",
            "reversal_reason",
            "reversed_at",
            "reversed_by",
            "allocations",
        ]
        read_only_fields = [
            "number",
            "customer",
            "rejection_reason",
            "confirmed_at",
            "reversal_reason",
            "reversed_at",
            "reversed_by",
        ]

    def validate_contract(self, contract: Any) -> Any:
        return _visible_contract(self.context.get("request"), contract)


class InvoiceRequestSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = InvoiceRequest
        fields = [
            "number",
            "contract",
            "customer",
            "kind",
            "title",
            "tax_id",
            "bank_name",
            "bank_account",
            "address",
            "phone",
            "requested_on",
            "amount",
            "receipts",
            "note",
            "status",
            "invoice_number",
            "invoice_date",
            "rejection_reason",
        ]
        read_only_fields = ["number", "customer", "invoice_number", "invoice_date", "rejection_reason"]

    def validate_contract(self, contract: Any) -> Any:
        return _visible_contract(self.context.get("request"), contract)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        contract = attrs.get("contract") or getattr(self.instance, "contract", None)
        receipts = attrs.get("receipts") or []
        if contract is not None and any(r.contract_id != contract.pk for r in receipts):
            raise serializers.ValidationError({"receipts": [_("Choose receipts of the request's contract.")]})
        return attrs


class InstallmentSerializer(serializers.ModelSerializer):
    """An installment as read (``GET …/contracts/{id}/plan/``)."""

    amount = serializers.SerializerMethodField()

    class Meta:
        model = Installment
        fields = [
            "id",
            "sequence",
            "due_on",
            "amount",
            "paid_amount",
            "status",
            "method",
            "remind_days",
            "note",
        ]

    def get_amount(self, row: Installment) -> dict[str, str] | None:
        return row.amount.to_json() if row.amount is not None else None
