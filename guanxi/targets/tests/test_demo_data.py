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


def test_demo_money_targets_follow_the_recent_pace(monkeypatch):
    """A person's monthly won target is their won amount over the last three full months, a
    month's worth, plus 10 % (rounded to the thousand): the demo's deals ramp up over the last
    twelve months, so targets taken from last calendar year sat on the floor for everyone and the
    forecast read thousands of percent."""
    import datetime
    from decimal import ROUND_HALF_UP, Decimal

    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 30)
    monkeypatch.setattr("guanxi.customers.leads.demo.LEAD_COUNT", 5)
    monkeypatch.setattr("guanxi.sales.demo_data.DEAL_COUNT", 150)
    call_command("demo", "--quiet", stdout=StringIO())
    today = timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    start = (end.replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    won = {}
    for deal in Deal.objects.filter(stage__kind="won").exclude(closed_at=None):
        if start <= timezone.localdate(deal.closed_at) <= end:
            won[deal.owner_id] = won.get(deal.owner_id, Decimal(0)) + deal.amount_base
    best, amount = max(won.items(), key=lambda item: item[1])
    pace = (amount / 3 * Decimal("1.10") / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000
    assert pace > Decimal(65_000)  # above the floor's range, so the floor does not decide it
    target = Target.objects.get(user_id=best, measure="won", year=today.year, period="m01")
    assert target.amount == pace
