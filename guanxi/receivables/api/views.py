"""Receivables API: receipts (``…/receipts/{id}/allocate/`` sets the installments it pays),
invoice requests, and a contract's payment plan (``…/plans/{contract id}/``: read, add an
installment, split into N, void). Status changes: ``…/{id}/transition/``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.framework.api.serializers import django_errors_to_drf
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.receivables import services
from guanxi.receivables.api.serializers import (
    AllocationInputSerializer,
    InstallmentSerializer,
    InvoiceRequestSerializer,
    ReceiptSerializer,
)
from guanxi.receivables.filtersets import InvoiceRequestFilterSet, ReceiptFilterSet
from guanxi.receivables.models import Installment, InvoiceRequest, Receipt


def _refused(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(django_errors_to_drf(exc))


class ReceiptViewSet(EntityViewSet):
    queryset = Receipt.objects.select_related("contract", "customer").prefetch_related(
        "allocations__installment"
    )
    serializer_class = ReceiptSerializer
    filterset_class = ReceiptFilterSet

    @action(detail=True, methods=["put"], url_path="allocate")
    def allocate(self, request: Request, pk: Any = None) -> Response:
        """``[{"installment": 3, "amount": "5000.00"}, …]`` (``[]`` or ``null``: oldest due first)."""
        receipt = self.get_object()
        rows = None
        if request.data:
            given = AllocationInputSerializer(data=request.data, many=True)
            given.is_valid(raise_exception=True)
            found = {i.pk: i for i in Installment.objects.filter(contract_id=receipt.contract_id)}
            errors: dict[str, list[str]] = {}
            rows = []
            for n, row in enumerate(given.validated_data, start=1):
                installment = found.get(row["installment"])
                if installment is None:
                    errors[f"{n}.installment"] = [_("Choose an installment of the receipt's contract.")]
                    continue
                rows.append(services.AllocationInput(installment, row["amount"]))
            if errors:
                raise serializers.ValidationError(errors)
        try:
            services.allocate_receipt(receipt, rows, actor=request.user)
        except DjangoPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=receipt.pk)).data)


class InvoiceRequestViewSet(EntityViewSet):
    queryset = InvoiceRequest.objects.select_related("contract", "customer").prefetch_related("receipts")
    serializer_class = InvoiceRequestSerializer
    filterset_class = InvoiceRequestFilterSet


class InstallmentInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    method = serializers.CharField(required=False, allow_blank=True, default="")
    remind_days = serializers.IntegerField(required=False, min_value=0, max_value=90, default=7)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SplitInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=120)
    first_due_on = serializers.DateField()
    every_months = serializers.IntegerField(min_value=0, max_value=24, default=1)


class PlanViewSet(viewsets.ViewSet):
    """A contract's payment plan, addressed by the contract's id."""

    permission_classes = [IsAuthenticated]
    serializer_class = InstallmentSerializer

    def _contract(self, request: Request, pk: Any, verb: str = "view") -> Any:
        from guanxi.contracts.models import Contract

        contract = get_object_or_404(Contract.objects.restrict(request.user, "view"), pk=pk)
        if verb != "view" and not Contract.objects.restrict(request.user, verb).filter(pk=pk).exists():
            raise PermissionDenied()
        return contract

    def _plan(self, contract: Any) -> Response:
        rows = Installment.objects.filter(contract=contract).order_by("sequence")
        return Response(InstallmentSerializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return self._plan(self._contract(request, pk))

    @action(detail=True, methods=["post"], url_path="installments")
    def installments(self, request: Request, pk: Any = None) -> Response:
        contract = self._contract(request, pk, "change")
        given = InstallmentInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            services.add_installment(contract, actor=request.user, **data)
        except DjangoPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return self._plan(contract)

    @action(detail=True, methods=["post"], url_path="split")
    def split(self, request: Request, pk: Any = None) -> Response:
        contract = self._contract(request, pk, "change")
        given = SplitInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.split_plan(contract, actor=request.user, **given.validated_data)
        except DjangoPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return self._plan(contract)

    @action(detail=True, methods=["post"], url_path=r"installments/(?P<installment>\d+)/void")
    def void(self, request: Request, pk: Any = None, installment: Any = None) -> Response:
        contract = self._contract(request, pk, "change")
        row = get_object_or_404(Installment, pk=installment, contract=contract)
        try:
            services.void_installment(row, actor=request.user)
        except DjangoPermissionDenied:
            raise PermissionDenied() from None
        except DjangoValidationError as exc:
            raise _refused(exc) from None
        return self._plan(contract)
