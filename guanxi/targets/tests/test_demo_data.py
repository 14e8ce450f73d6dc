"""The demo gives every salesperson and sales department this year's targets (回款 included),
departments adding up their people and sub-departments, and every demo deal a forecast category."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from guanxi.sales.models import Deal
from guanxi.targets.models import Target
from guanxi.users.models import Department, User

pytestmark = pytest.mark.django_db


def test_demo_targets_and_categories(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 3)
    monkeypatch.setattr("guanxi.customers.leads.demo.LEAD_COUNT", 5)
    monkeypatch.setattr("guanxi.sales.demo_data.DEAL_COUNT", 6)
    call_command("demo", "--quiet", stdout=StringIO())
    year = timezone.localdate().year
    sales = Department.objects.get(name="销售中心")
    people = User.objects.filter(department__path__startswith=sales.path, is_active=True)
    assert people.count() >= 8
    for person in people:
        for measure in ("signed", "won", "received", "new_customers", "follow_ups"):
            assert Target.objects.filter(user=person, measure=measure, year=year).count() == 12
    east1 = Department.objects.get(name="华东销售一部")
    mine = Target.objects.filter(measure="signed", year=year, period="m03")
    members = mine.filter(user__department=east1).aggregate(s=Sum("amount"))["s"]
    assert mine.get(user=None, department=east1).amount == members
    whole = mine.filter(user__department__path__startswith=sales.path).aggregate(s=Sum("amount"))["s"]
    assert mine.get(user=None, department=sales).amount == whole
    assert not Deal.objects.filter(forecast_category="").exists()
