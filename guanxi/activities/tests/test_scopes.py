"""The data-scope suite on follow-ups and tasks: pages, search, export and the API per scope."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import ScopeSuite, give_role, record_name

from .helpers import follow_up_on


class TestFollowUpScopes(ScopeSuite):
    model = FollowUp
    url_prefix = "/follow-ups/"
    api_url = "/api/v1/activities/follow-ups/"
    api_edit = {"content": "edited"}

    def make(self, owner, department, n):
        customer = Customer.objects.create(name=f"客户{n:03d}")
        return follow_up_on(customer, content=record_name(n), owner=owner, department=department)

    def api_create_body(self, org, user):
        give_role(org.users[user.username], Customer, "own", ["view", "change"], name="on-my-customers")
        with as_system():
            customer = Customer.objects.create(name="新客户", owner=user)
        return {
            "target_type": "customers.customer",
            "target_id": customer.pk,
            "kind": "call",
            "content": "新的跟进",
        }


class TestTaskScopes(ScopeSuite):
    model = Task
    url_prefix = "/tasks/"
    api_url = "/api/v1/activities/tasks/"
    api_edit = {"title": "edited"}

    def make(self, owner, department, n):
        return Task.objects.create(
            title=record_name(n),
            due_at=timezone.now() + datetime.timedelta(days=1),
            owner=owner,
            department=department,
        )

    def api_create_body(self, org, user):
        due = timezone.now() + datetime.timedelta(days=2)
        return {"title": f"{record_name(99)}-new", "due_at": due.isoformat()}
