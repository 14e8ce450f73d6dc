"""The generic entity suite on follow-ups and tasks, and the "Mark done" bulk action."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite, perm

from .helpers import follow_up_on


class TestFollowUpViews(EntityViewSuite):
    model = FollowUp
    url_prefix = "/follow-ups/"
    form_data = {"kind": "call", "content": "电话沟通报价，客户需要下周再确认", "outcome": "reached"}
    edit_data = {
        "kind": "visit",
        "occurred_at": "2026-01-15T10:00",
        "content": "上门拜访演示",
        "place": "苏州工业园区",
        "outcome": "interested",
    }
    bulk_edit_data = {"outcome": "interested"}

    @pytest.fixture(autouse=True)
    def _customer(self, db):
        with as_system():
            self.customer = Customer.objects.create(name="上海星辰科技有限公司")
        self.form_data = {**type(self).form_data, "customer": self.customer.pk}

    def make(self, n):
        return follow_up_on(self.customer, content=f"跟进记录{n:03d}")

    def test_create_writes_row_and_change_log(self, client, make_user):
        # The customer must be visible to the author: give view on customers too.
        user = make_user(
            "editor", perms=[perm(FollowUp, "view"), perm(FollowUp, "add"), perm(Customer, "view")]
        )
        client.force_login(user)
        response = client.post(f"{self.url_prefix}add/", self.form_data)
        assert response.status_code == 302, response.content.decode()[:2000]
        obj = FollowUp.objects.get()
        change = self.changes(obj, "create").get()
        assert (change.user, change.source, obj.created_by, obj.owner) == (user, "web", user, user)
        assert (obj.target, obj.customer) == (self.customer, self.customer)


class TestTaskViews(EntityViewSuite):
    model = Task
    url_prefix = "/tasks/"
    form_data = {"title": "给王总发报价单", "priority": "high", "due_at": "2030-05-06T10:30"}
    edit_data = {"title": "给王总发正式报价单", "priority": "urgent", "due_at": "2030-05-07T09:00"}
    bulk_edit_data = {"priority": "low"}

    def make(self, n):
        return Task.objects.create(title=f"待办{n:03d}", due_at=timezone.now() + datetime.timedelta(days=n))


@pytest.mark.django_db
def test_task_form_sets_and_moves_the_reminder(admin_client):
    response = admin_client.post("/tasks/add/", TestTaskViews.form_data)
    assert response.status_code == 302
    task = Task.objects.get()
    due = timezone.make_aware(datetime.datetime(2030, 5, 6, 10, 30))
    assert (task.due_at, task.remind_at, task.status) == (due, due - datetime.timedelta(minutes=15), "open")
    with as_system():
        Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    # The edit form shows the old reminder; the user only moves the due time.
    data = {
        "title": task.title,
        "priority": "high",
        "due_at": "2030-05-08T08:00",
        "remind_at": "2030-05-06T10:15",
    }
    assert admin_client.post(f"/tasks/{task.pk}/edit/", data).status_code == 302
    task.refresh_from_db()
    new_due = timezone.make_aware(datetime.datetime(2030, 5, 8, 8, 0))
    assert (task.due_at, task.remind_at, task.reminded_at) == (
        new_due,
        new_due - datetime.timedelta(minutes=15),
        None,
    )


@pytest.mark.django_db
def test_bulk_mark_done_is_all_or_nothing(client, make_user):
    user = make_user("rep", perms=[perm(Task, "view"), perm(Task, "change")], language="en")
    with as_system():
        tasks = [Task.objects.create(title=f"待办{i}", owner=user) for i in range(3)]
    client.force_login(user)
    page = client.get("/tasks/").content.decode()
    assert "Mark done" in page and "/tasks/bulk-done/" in page
    response = client.post("/tasks/bulk-done/", {"pk": [t.pk for t in tasks[:2]]}, follow=True)
    assert "Marked 2 tasks done." in response.content.decode()
    assert sorted(Task.objects.values_list("title", "status")) == [
        ("待办0", "done"),
        ("待办1", "done"),
        ("待办2", "open"),
    ]
    assert all(t.done_at is not None for t in Task.objects.filter(status="done"))


@pytest.mark.django_db
def test_bulk_mark_done_refuses_without_change_permission(client, make_user):
    user = make_user("viewer", perms=[perm(Task, "view")])
    with as_system():
        task = Task.objects.create(title="待办", owner=user)
    client.force_login(user)
    assert client.post("/tasks/bulk-done/", {"pk": [task.pk]}).status_code == 403
    task.refresh_from_db()
    assert (task.status, task.done_at) == ("open", None)
