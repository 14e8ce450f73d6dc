"""The contract and order viewsets: contracts with actions to make one from an accepted quote, to
order from it and to create the renewal deal; orders with their lines (``PUT …/{id}/lines/``).
Status changes: ``…/{id}/transition/``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.contracts import services
from guanxi.contracts.api.serializers import ContractSerializer, OrderLineInputSerializer, OrderSerializer
from guanxi.contracts.filtersets import ContractFilterSet, OrderFilterSet
from guanxi.contracts.models import Contract, Order
from guanxi.framework.api.serializers import django_errors_to_drf
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.products.models import Product


def _refused(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(django_errors_to_drf(exc))


class ContractViewSet(EntityViewSet):
    queryset = Contract.objects.select_related("customer", "deal", "quote", "our_signer", "customer_signer")
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet

    @action(detail=False, methods=["post"], url_path="from-quote")
    def from_quote(self, request: Request) -> Response:
        """``{"quote": 12, "with_order": true}``: the contract (and order) from an accepted quote."""
        from guanxi.quotes.models import Quote

        body: Any = request.data if isinstance(request.data, dict) else {}
        quote_id = body.get("quote")
        quote = (
            Quote.objects.restrict(request.user, "view").filter(pk=quote_id).first()
            if str(quote_id).isdigit()
            else None
        )
        if quote is None:
            raise serializers.ValidationError({"quote": [str(_("Choose a quote you can see."))]})
        with_order = body.get("with_order") in (True, "1", "true", "on")
        try:
            contract, order = services.create_contract_from_quote(
                quote, actor=request.user, with_order=with_order
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        data = dict(self.get_serializer(self.get_queryset().get(pk=contract.pk)).data)
        data["order"] = order.pk if order is not None else None
        return Response(data, status=201)

    @action(detail=True, methods=["post"], url_path="renew")
    def renew(self, request: Request, pk: Any = None) -> Response:
        contract = self.get_object()
        try:
            deal = services.create_renewal_deal(contract, actor=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return Response({"id": deal.pk, "display": str(deal)}, status=201)

    @action(detail=True, methods=["post"], url_path="order")
    def order(self, request: Request, pk: Any = None) -> Response:
        contract = self.get_object()
        try:
            order = services.create_order_from_contract(contract, actor=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return Response({"id": order.pk, "number": order.number}, status=201)


class OrderViewSet(EntityViewSet):
    queryset = Order.objects.select_related("customer", "contract").prefetch_related("lines")
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet

    @action(detail=True, methods=["put"], url_path="lines")
    def lines(self, request: Request, pk: Any = None) -> Response:
        """Replace every line of the draft order:
        ``[{"product": 3, "quantity": "2", "discount_percent": "10"}, …]``."""
        order = self.get_object()
        if not Order.objects.restrict(request.user, "change").filter(pk=order.pk).exists():
            raise PermissionDenied()
        rows = OrderLineInputSerializer(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        wanted = {row.get("product") for row in rows.validated_data} - {None}
        products = {p.pk: p for p in Product.objects.filter(pk__in=wanted)}
        errors: dict[str, list[str]] = {}
        inputs = []
        for n, row in enumerate(rows.validated_data, start=1):
            product = products.get(row.get("product")) if row.get("product") else None
            if row.get("product") and product is None:
                errors[f"{n}.product"] = [str(_("Choose a product from the list."))]
            inputs.append(
                services.OrderLineInput(
                    product=product,
                    description=row.get("description", ""),
                    quantity=row["quantity"],
                    unit_price=row.get("unit_price") or None,
                    discount_percent=row.get("discount_percent") or 0,
                )
            )
        if errors:
            raise serializers.ValidationError(errors)
        try:
            services.save_order_lines(order, inputs, actor=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)
