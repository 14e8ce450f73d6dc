"""The sales demo step: two pipelines, deals in every stage with histories, won dates."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from guanxi.customers.models import Customer
from guanxi.sales.models import Deal, Pipeline, StageChange

pytestmark = pytest.mark.django_db


def test_demo_deals(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 40)
    monkeypatch.setattr("guanxi.sales.demo_data.DEAL_COUNT", 120)
    call_command("demo", "--quiet")
    assert list(Pipeline.objects.order_by("order").values_list("name", "is_default")) == [
        ("标准销售流程", True),
        ("项目型销售", False),
    ]
    assert Deal.objects.count() == 120
    standard = Pipeline.objects.get(is_default=True)
    kinds = set(Deal.objects.filter(pipeline=standard).values_list("stage__kind", flat=True))
    assert kinds == {"open", "won", "lost"}
    assert StageChange.objects.exists()
    won = Deal.objects.filter(stage__kind="won").select_related("customer")
    assert won and all(d.customer.last_won_at is not None and d.closed_at is not None for d in won)
    winners = Customer.objects.filter(pk__in=won.values("customer"))
    assert set(winners.values_list("stage", flat=True)) <= {"won", "repeat"}
    call_command("demo", "--quiet")  # idempotent
    assert Deal.objects.count() == 120
