"""Cards on other modules' pages (guanxi.framework.cards) and the team home's numbers
(guanxi.framework.dashboard): the payment plan and 回款 on a contract's page, the allocation on a
receipt's page, the customer 360° page's 回款 and invoices with the lifetime totals, "回款 due this
week" on My day, and the team's overdue and due-this-week numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.framework.dashboard import NUMBER, register_widget
from guanxi.framework.dashboard import Count as CountWidget
from guanxi.framework.money import Money, company_currency
from guanxi.receivables.models import (
    OPEN_STATUSES,
    Installment,
    InstallmentStatus,
    InvoiceRequest,
    Receipt,
    ReceiptStatus,
)

CARD_ROWS = 8


def _base(value: Any) -> str:
    return Money(value or 0, company_currency()).format()


def _contract_model() -> Any:
    from guanxi.contracts.models import Contract

    return Contract


@register_card("detail.main", "receivables/contract_plan_card.html", weight=15)
def contract_plan_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The contract's payment plan (paid / remaining per installment) and its receipts."""
    Contract = _contract_model()
    if not isinstance(obj, Contract) or request is None:
        return None
    user = request.user
    installments = list(Installment.objects.filter(contract=obj).order_by("sequence"))
    receipts = list(
        Receipt.objects.restrict(user, "view").filter(contract=obj).order_by("-received_on", "-pk")
    )
    currency = obj.amount_currency
    live = [i for i in installments if i.status != InstallmentStatus.VOID]
    planned = sum((i.amount_amount or Decimal(0) for i in live), Decimal(0))
    received = sum(
        (r.amount_amount or Decimal(0) for r in receipts if r.status == ReceiptStatus.CONFIRMED), Decimal(0)
    )
    amount = obj.amount_amount or Decimal(0)
    from guanxi.contracts.models import SIGNED_STATUSES

    may_change = Contract.objects.restrict(user, "change").filter(pk=obj.pk).exists()
    return {
        "installments": installments,
        "plan_receipts": receipts,
        "plan_totals": {
            "planned": Money(planned, currency).format(),
            "unplanned": Money(max(amount - planned, Decimal(0)), currency).format(),
            "received": Money(received, currency).format(),
            "outstanding": Money(max(amount - received, Decimal(0)), currency).format(),
        },
        "can_edit_plan": may_change,
        "can_add_receipt": obj.status in SIGNED_STATUSES and can(user, "add", Receipt),
        "can_add_invoice": obj.status in SIGNED_STATUSES and can(user, "add", InvoiceRequest),
    }


@register_card("detail.main", "receivables/receipt_allocation_card.html", weight=10)
def receipt_allocation_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """Which installments the receipt pays (or, for one not yet allocated, would pay)."""
    if not isinstance(obj, Receipt) or request is None:
        return None
    from guanxi.receivables.services import default_allocation

    allocations = [(a.installment, a.amount) for a in obj.allocations.select_related("installment")]
    proposed = not allocations and obj.status in (ReceiptStatus.DRAFT, ReceiptStatus.PENDING_APPROVAL)
    if proposed:
        allocations = [(a.installment, a.amount) for a in default_allocation(obj)]
    return {
        "allocations": [(i, Money(amount, obj.amount_currency).format()) for i, amount in allocations],
        "allocation_proposed": proposed,
        "can_allocate": obj.is_editable
        and Receipt.objects.restrict(request.user, "change").filter(pk=obj.pk).exists(),
    }


@register_card("detail.main", "receivables/customer_receivables_card.html", weight=27)
def customer_receivables_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The customer's 回款: lifetime signed / received / outstanding (one aggregate each), the
    next open installments and the latest receipts and invoice requests."""
    from guanxi.customers.models import Customer

    if not isinstance(obj, Customer) or request is None:
        return None
    user = request.user
    Contract = _contract_model()
    if not can(user, "view", Contract):
        return None
    from guanxi.contracts.models import SIGNED_STATUSES

    today = timezone.localdate()
    signed = (
        Contract.objects.restrict(user, "view")
        .filter(customer=obj, status__in=SIGNED_STATUSES)
        .aggregate(total=Sum("amount_base"))["total"]
    )
    plan = Installment.objects.restrict(user, "view").filter(contract__customer=obj)
    plan_totals = plan.filter(status__in=OPEN_STATUSES).aggregate(
        outstanding=Sum("outstanding_base"),
        overdue=Sum("outstanding_base", filter=Q(due_on__lt=today)),
        overdue_count=Count("pk", filter=Q(due_on__lt=today)),
    )
    may_see_receipts = can(user, "view", Receipt)
    received = (
        Receipt.objects.restrict(user, "view")
        .filter(customer=obj, status=ReceiptStatus.CONFIRMED)
        .aggregate(total=Sum("amount_base"))["total"]
        if may_see_receipts
        else None
    )
    upcoming = list(
        plan.filter(status__in=OPEN_STATUSES)
        .select_related("contract")
        .order_by("due_on", "sequence")[:CARD_ROWS]
    )
    invoices = (
        list(
            InvoiceRequest.objects.restrict(user, "view")
            .filter(customer=obj)
            .order_by("-requested_on", "-pk")[:CARD_ROWS]
        )
        if can(user, "view", InvoiceRequest)
        else []
    )
    return {
        "receivable_totals": {
            "signed": _base(signed),
            "received": _base(received),
            "outstanding": _base(plan_totals["outstanding"]),
            "overdue": _base(plan_totals["overdue"]),
            "overdue_count": plan_totals["overdue_count"],
        },
        "upcoming_installments": upcoming,
        "customer_invoices": invoices,
        "may_see_receipts": may_see_receipts,
        "today": today,
    }


def _week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday to Sunday of ``today``'s week."""
    start = today - datetime.timedelta(days=today.weekday())
    return start, start + datetime.timedelta(days=6)


def due_this_week(user: Any, today: datetime.date | None = None) -> Any:
    """Open installments of the contracts ``user`` owns due this week or already overdue."""
    today = today or timezone.localdate()
    _start, end = _week(today)
    return (
        Installment.objects.restrict(user, "view")
        .filter(contract__owner=user, status__in=OPEN_STATUSES, due_on__lte=end)
        .select_related("contract__customer")
        .order_by("due_on", "sequence")
    )


@register_card("home.main", "receivables/home_due_this_week.html", weight=35)
def due_this_week_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """My day: "回款 due this week" — my contracts' installments due by Sunday, overdue ones first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can(user, "view", Installment):
        return None
    today = timezone.localdate()
    rows = list(due_this_week(user, today)[: CARD_ROWS + 1])
    count = len(rows) if len(rows) <= CARD_ROWS else due_this_week(user, today).count()
    return {
        "due_installments": [(row, row.due_on < today) for row in rows[:CARD_ROWS]],
        "due_count": count,
        "overdue_url": reverse("receivables:overdue_list"),
    }


@register_widget("team_overdue_installments", kind=NUMBER, weight=50)
def team_overdue(request: Any) -> CountWidget | None:
    """The team's overdue installments (the overdue list the number links to)."""
    user = request.user
    if not can(user, "view", Installment):
        return None
    count = Installment.objects.restrict(user, "view").filter(status=InstallmentStatus.OVERDUE).count()
    return CountWidget(
        label=_("Overdue installments"),
        count=count,
        url=reverse("receivables:overdue_list"),
        icon="alarm",
        tone="red",
    )


@register_widget("team_due_this_week", kind=NUMBER, weight=51)
def team_due_this_week(request: Any) -> CountWidget | None:
    """The team's installments due this week (not yet paid)."""
    from guanxi.receivables.aging import list_url

    user = request.user
    if not can(user, "view", Installment):
        return None
    start, end = _week(timezone.localdate())
    rows = Installment.objects.restrict(user, "view").filter(
        status__in=OPEN_STATUSES, due_on__gte=start, due_on__lte=end
    )
    condition = {
        "version": 1,
        "all": [
            {"field": "status", "op": "in", "value": [str(s) for s in OPEN_STATUSES]},
            {"field": "due_on", "op": "between", "value": [start.isoformat(), end.isoformat()]},
        ],
    }
    return CountWidget(
        label=_("Payments due this week"),
        count=rows.count(),
        url=list_url(condition),
        icon="calendar-due",
        tone="amber",
    )
