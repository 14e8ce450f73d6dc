"""``/api/v1/quotes/quotes/``'s viewset: quotes with their lines, ``pdf_url``, and actions to replace the
lines, revise, and attach the PDF to the deal (status changes: ``…/{id}/transition/``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.framework.api.serializers import django_errors_to_drf
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.products.models import Product
from guanxi.quotes import services
from guanxi.quotes.api.serializers import LineInputSerializer, QuoteSerializer
from guanxi.quotes.filtersets import QuoteFilterSet
from guanxi.quotes.models import Quote


class QuoteViewSet(EntityViewSet):
    queryset = Quote.objects.select_related("deal", "customer", "price_list").prefetch_related("lines")
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet

    def _object_for(self, action_name: str) -> Quote:
        quote = self.get_object()
        if not Quote.objects.restrict(self.request.user, action_name).filter(pk=quote.pk).exists():
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        return quote

    @action(detail=True, methods=["put"], url_path="lines")
    def lines(self, request: Request, pk: Any = None) -> Response:
        """Replace every line of the draft:
        ``[{"product": 3, "quantity": "2", "discount_percent": "10"}, …]``."""
        quote = self._object_for("change")
        rows = LineInputSerializer(data=request.data, many=True)
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
                services.LineInput(
                    product=product,
                    description=row.get("description", ""),
                    quantity=row["quantity"],
                    unit_price=row.get("unit_price") or None,
                    discount_percent=row.get("discount_percent") or 0,
                    tax_rate=row.get("tax_rate") or None,
                )
            )
        if errors:
            raise serializers.ValidationError(errors)
        try:
            services.save_quote_lines(quote, inputs, actor=request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc)) from None
        quote = self.get_queryset().get(pk=quote.pk)
        return Response(self.get_serializer(quote).data)

    @action(detail=True, methods=["post"], url_path="revise")
    def revise(self, request: Request, pk: Any = None) -> Response:
        quote = self._object_for("change")
        try:
            new = services.revise_quote(quote, actor=request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=new.pk)).data, status=201)

    @action(detail=True, methods=["post"], url_path="attach-pdf")
    def attach_pdf(self, request: Request, pk: Any = None) -> Response:
        quote = self.get_object()
        from guanxi.quotes.pdf import PdfRefused

        try:
            attachment = services.attach_pdf_to_deal(quote, actor=request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_drf(exc)) from None
        except PdfRefused as refused:
            raise serializers.ValidationError({"pdf": [str(refused)]}) from None
        return Response({"id": attachment.pk, "name": attachment.name}, status=201)
