"""The REST API of follow-ups and tasks: creation runs the services, filters match the UI, and bad
input gets field messages (never a 500)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import perm

from .helpers import follow_up_on
from .test_services import REP_PERMS

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/follow-ups/"
TASKS = "/api/v1/activities/tasks/"


@pytest.fixture
def rep():
    return make_user("rep", perms=[*REP_PERMS, perm(Task, "delete"), perm(FollowUp, "change")], language="en")


@pytest.fixture
def customer():
    with as_system():
        return Customer.objects.create(name="杭州云帆贸易有限公司")


def test_creating_a_follow_up_runs_the_service(rep, customer):
    api = token_client(rep)
    next_time = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    response = api.post(
        URL,
        {
            "target_type": "customers.customer",
            "target_id": customer.pk,
            "kind": "meeting",
            "content": "线上会议演示产品",
            "outcome": "interested",
            "next_follow_up_at": next_time.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["target_type"], body["customer"]["id"], body["owner"]["id"]) == (
        "meeting",
        "customers.customer",
        customer.pk,
        rep.pk,
    )
    follow_up = FollowUp.objects.get()
    task = Task.objects.get()
    assert (task.follow_up, task.due_at, task.owner) == (follow_up, next_time, rep)
    customer.refresh_from_db()
    assert customer.last_contacted_at == follow_up.occurred_at


def test_bad_input_gets_field_messages(rep, customer):
    api = token_client(rep)
    cases = [
        ({"target_type": "customers.customer", "target_id": customer.pk, "kind": "call"}, "content"),
        ({"target_type": "core.tag", "target_id": 1, "kind": "call", "content": "x"}, "target_type"),
        (
            {"target_type": "customers.customer", "target_id": 999999, "kind": "call", "content": "x"},
            "target_id",
        ),
        ({"target_type": "customers.customer", "kind": "call", "content": "x"}, "target_id"),
        (
            {
                "target_type": "customers.customer",
                "target_id": customer.pk,
                "kind": "call",
                "content": "x",
                "occurred_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
            },
            "occurred_at",
        ),
    ]
    for data, field in cases:
        response = api.post(URL, data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"], (data, response.json())
    assert FollowUp.objects.count() == 0


def test_target_the_user_may_not_see_is_refused_like_a_missing_one(customer):
    user = make_user("blind", perms=[perm(FollowUp, "add"), perm(FollowUp, "view")])
    response = token_client(user).post(
        URL,
        {"target_type": "customers.customer", "target_id": customer.pk, "kind": "call", "content": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "target_id" in response.json()["errors"]
    assert FollowUp.objects.count() == 0


def test_target_cannot_be_changed_afterwards(rep, customer):
    follow_up = follow_up_on(customer, owner=rep)
    with as_system():
        other = Customer.objects.create(name="别的客户")
    api = token_client(rep)
    response = api.patch(f"{URL}{follow_up.pk}/", {"target_id": other.pk}, format="json")
    assert response.status_code == 400
    assert (
        api.patch(f"{URL}{follow_up.pk}/", {"content": "补充：客户要求加急"}, format="json").status_code
        == 200
    )
    follow_up.refresh_from_db()
    assert (follow_up.target_id, follow_up.content) == (customer.pk, "补充：客户要求加急")


def test_follow_up_filters_match_the_list_page(rep, customer):
    follow_up_on(customer, owner=rep, kind="call", content="电话一")
    follow_up_on(
        customer,
        owner=rep,
        kind="visit",
        content="拜访一",
        occurred_at=timezone.now() - datetime.timedelta(days=10),
    )
    api = token_client(rep)
    kinds = [item["kind"] for item in api.get(URL, {"kind": "visit"}).json()["results"]]
    assert kinds == ["visit"]
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert [i["content"] for i in api.get(URL, {"occurred_after": since}).json()["results"]] == ["电话一"]
    assert api.get(URL, {"customer": customer.pk, "q": "拜访"}).json()["count"] == 1


def test_tasks_create_filter_and_complete_through_the_api(rep, customer):
    api = token_client(rep)
    due = (timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=0)
    response = api.post(
        TASKS,
        {
            "title": "补发合同",
            "due_at": due.isoformat(),
            "priority": "urgent",
            "target_type": "customers.customer",
            "target_id": customer.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    task = Task.objects.get()
    assert (task.customer, task.owner, task.remind_at) == (customer, rep, None)  # already due: no reminder
    with as_system():
        Task.objects.create(title="以后再说", owner=rep, due_at=timezone.now() + datetime.timedelta(days=5))
    assert [t["title"] for t in api.get(TASKS, {"overdue": "true"}).json()["results"]] == ["补发合同"]
    assert api.get(TASKS, {"mine": "true", "status": "open"}).json()["count"] == 2

    # The status is not a field to PATCH: it moves through the task's transitions.
    refused = api.patch(f"{TASKS}{task.pk}/", {"status": "done"}, format="json")
    assert refused.status_code == 400
    assert "transition" in refused.json()["errors"]["status"][0]
    task.refresh_from_db()
    assert (task.status, task.done_at) == ("open", None)
    assert [t["name"] for t in api.get(f"{TASKS}{task.pk}/transitions/").json()] == ["complete"]
    response = api.post(f"{TASKS}{task.pk}/transition/", {"transition": "complete"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done" and response.json()["done_at"]
    task.refresh_from_db()
    assert task.status == "done"
    reopened = api.post(f"{TASKS}{task.pk}/transition/", {"transition": "reopen"}, format="json")
    assert (reopened.json()["status"], reopened.json()["done_at"]) == ("open", None)


def test_task_with_a_bad_priority_or_missing_title_is_400(rep):
    api = token_client(rep)
    response = api.post(TASKS, {"priority": "someday"}, format="json")
    assert response.status_code == 400
    assert {"title", "priority"} <= set(response.json()["errors"])
    assert Task.objects.count() == 0
