"""The activities demo step: follow-ups per customer by its owner, tasks around today, change log,
last-contacted, idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.core.models import ObjectChange
from guanxi.customers.models import Customer
from guanxi.users.models import User

pytestmark = pytest.mark.django_db


def test_demo_follow_ups_and_tasks(monkeypatch, client):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 30)
    call_command("demo", "--quiet")
    customers = list(Customer.objects.all())
    follow_ups = list(FollowUp.objects.select_related("customer"))
    assert 30 <= len(follow_ups) <= 120
    today = timezone.localdate()
    for follow_up in follow_ups:
        assert follow_up.owner_id == follow_up.customer.owner_id
        assert follow_up.department_id == follow_up.customer.department_id
        assert today - datetime.timedelta(days=91) <= timezone.localdate(follow_up.occurred_at) < today
        assert follow_up.content
    for customer in customers:
        mine = [f.occurred_at for f in follow_ups if f.customer_id == customer.pk]
        assert customer.last_contacted_at == (max(mine) if mine else None)
    rep1 = User.objects.get(username="rep1")
    assert Task.objects.filter(owner=rep1, status="open", due_at__date=today).exists()
    assert ObjectChange.objects.filter(changed_object_type__model="followup", source="demo").count() == len(
        follow_ups
    )
    assert (
        ObjectChange.objects.filter(changed_object_type__model="task", source="demo").count()
        == Task.objects.count()
    )

    client.force_login(rep1)
    page = client.get("/").content.decode()
    start = page.index('id="home-today"')
    assert 'class="task-row' in page[start : page.index("</section>", start)]

    call_command("demo", "--quiet")  # idempotent
    assert FollowUp.objects.count() == len(follow_ups)
