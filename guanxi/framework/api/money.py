"""A MoneyField in the API: ``{"amount": "12.50", "currency": "CNY"}`` (OpenAPI component ``Money``).

``EntitySerializer`` builds a ``MoneyAPIField`` for any name in ``Meta.fields`` that is a
``MoneyField`` on the model. It reads the record's ``Money``; on write it checks the shape, the
amount (a number, no more decimals than the currency has) and the currency (one of
``settings.CURRENCIES``) and hands ``<name>_amount`` / ``<name>_currency`` to the model, whose
``full_clean()`` adds the exchange-rate check; errors come back under the field's name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from guanxi.framework.moneyfields import MoneyField, parse_money


class MoneySerializer(serializers.Serializer):
    """The shape of an amount (documentation only: the schema component ``Money``)."""

    amount = serializers.DecimalField(max_digits=24, decimal_places=6, coerce_to_string=True)
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217 code, e.g. CNY.")


class MoneyAPIField(serializers.Field):
    """``{"amount": "12.50", "currency": "CNY"}`` read and written; ``null`` clears the amount."""

    default_error_messages = {
        "invalid": _('Give the amount as {"amount": "12.50", "currency": "CNY"}.'),
    }

    def __init__(self, money: MoneyField, **kwargs: Any) -> None:
        self.money = money
        kwargs["source"] = "*"
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None and self.allow_null and not self.read_only:
            return True, {self.money.amount_attname: None}
        return super().validate_empty_values(data)

    def to_representation(self, value: Any) -> dict[str, str] | None:
        money = self.money.value_of(value)
        return None if money is None else money.to_json()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or "amount" not in data or set(data) - {"amount", "currency"}:
            # not self.fail(): it str.format()s the message, and this one shows JSON braces
            raise serializers.ValidationError(str(self.error_messages["invalid"]), code="invalid")
        try:
            money = parse_money(data["amount"], data.get("currency"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError([m for ms in exc.message_dict.values() for m in ms]) from None
        return {self.money.amount_attname: money.amount, self.money.currency_attname: money.currency}


class MoneyAPIFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "guanxi.framework.api.money.MoneyAPIField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        component = auto_schema.resolve_serializer(MoneySerializer, direction)
        return {"oneOf": [component.ref], "nullable": True}
