"""Receipts (实际回款) and invoice requests (开票申请): owned by the contract's owner — reps see
their own, managers and directors their department tree, finance (财务) every one, with the
verbs to confirm receipts (``approve``), to reverse confirmed ones (``reverse``) and to issue
invoices (``issue``). Recording more than a contract's amount (``overpay``) is held by
administrators only, until given explicitly. Installments and allocations follow their contract
and receipt (``access_parent``)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import EntityType, Grant, MenuEntry, Transfer, register_entity
from guanxi.receivables.api.serializers import InvoiceRequestSerializer, ReceiptSerializer
from guanxi.receivables.api.views import InvoiceRequestViewSet, ReceiptViewSet
from guanxi.receivables.models import (
    InvoiceRequest,
    InvoiceStatus,
    Receipt,
    ReceiptStatus,
    ReceivableSettings,
)
from guanxi.receivables.views import InvoiceRequestViews, ReceiptViews
from guanxi.users.default_roles import ALL_ACTIONS

TEAM = ["view", "add", "change", "export", "assign"]

register_entity(
    EntityType(
        model=Receipt,
        views=ReceiptViews,
        serializer=ReceiptSerializer,
        viewset=ReceiptViewSet,
        api_name="receipts",
        search=(("number", 100), ("payer", 60), ("reference", 60)),
        menu=MenuEntry("sales", _("Receipts"), icon="cash", weight=60),
        grants={
            "admin": Grant([*ALL_ACTIONS, "approve", "overpay", "reverse"], "all"),
            "sales_director": Grant([*TEAM, "delete"], "department_tree"),
            "sales_manager": Grant(TEAM, "department_tree"),
            "sales_rep": Grant(["view", "add", "change"], "own"),
            "finance": Grant(
                ["view", "add", "change", "delete", "export", "import", "approve", "reverse"], "all"
            ),
            "read_only": Grant(["view", "export"], "all"),
        },
        transfer=Transfer(
            _("receipts"), open_filter=Q(status__in=[ReceiptStatus.DRAFT, ReceiptStatus.PENDING_APPROVAL])
        ),
    )
)
register_entity(
    EntityType(
        model=InvoiceRequest,
        views=InvoiceRequestViews,
        serializer=InvoiceRequestSerializer,
        viewset=InvoiceRequestViewSet,
        api_name="invoice-requests",
        search=(("number", 100), ("title", 80), ("invoice_number", 80)),
        menu=MenuEntry("sales", _("Invoice requests"), icon="receipt", weight=70),
        grants={
            "admin": Grant([*ALL_ACTIONS, "approve", "issue"], "all"),
            "sales_director": Grant([*TEAM, "delete"], "department_tree"),
            "sales_manager": Grant(TEAM, "department_tree"),
            "sales_rep": Grant(["view", "add", "change"], "own"),
            "finance": Grant(["view", "add", "change", "delete", "export", "approve", "issue"], "all"),
            "read_only": Grant(["view", "export"], "all"),
        },
        transfer=Transfer(
            _("invoice requests"),
            open_filter=Q(
                status__in=[InvoiceStatus.DRAFT, InvoiceStatus.PENDING_APPROVAL, InvoiceStatus.APPROVED]
            ),
        ),
    )
)
# The receivables settings page (invoicing before payment) is for administrators.
register_entity(EntityType(model=ReceivableSettings, grants={"admin": Grant(["view", "change"], "all")}))
