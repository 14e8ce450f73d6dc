"""The task-assignment notification travels as a ``task.assigned`` event to its subscriber."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings

from guanxi.activities import services
from guanxi.activities.models import Task
from guanxi.activities.tests.test_services import REP_PERMS
from guanxi.core.models import Event, EventDelivery, Notification
from guanxi.framework.events.dispatch import drain
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=REP_PERMS, name="王芳", language="en")


@override_settings(TASKS=DB_TASKS)
def test_the_worker_delivers_the_assignment_notification_once(
    rep, make_user, django_capture_on_commit_callbacks
):
    other = make_user("other", language="en")
    with django_capture_on_commit_callbacks(execute=True), as_user(rep):
        task = services.create_task(actor=rep, title="准备投标文件", assignee=other)
    assert not Notification.objects.exists()  # not sent by the service any more: the worker sends it
    event = Event.objects.get(kind="task.assigned")
    assert (event.object_id, event.data, event.actor_id) == (task.pk, {"assignee": other.pk}, rep.pk)
    drain(worker="w1")
    drain(worker="w1")
    assert list(Notification.objects.values_list("recipient", "title", "url")) == [
        (other.pk, "王芳 assigned you a task: 准备投标文件", task.get_absolute_url())
    ]
    assert (
        EventDelivery.objects.get(event=event).subscriber == "guanxi.activities.events.notify_task_assignee"
    )


def test_no_event_when_assigning_yourself(rep):
    with as_user(rep):
        services.create_task(actor=rep, title="自己的事")
    assert not Event.objects.filter(kind="task.assigned").exists()


def test_the_notification_obeys_the_assignees_field_rules(rep, make_user, django_capture_on_commit_callbacks):
    other = make_user("other", language="en")
    role = give_role(other, Task, "own", ["view"])
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Task),
            field_name="title",
            access="hidden",
        )
    with django_capture_on_commit_callbacks(execute=True), as_user(rep):
        task = services.create_task(actor=rep, title="机密项目", assignee=other)
    assert Notification.objects.get().title == f"王芳 assigned you a task: #{task.pk}"
