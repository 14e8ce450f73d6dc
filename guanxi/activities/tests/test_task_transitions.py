"""A task's status moves through its ``complete`` / ``reopen`` transitions, and "a new due time
re-arms the reminder" holds on every write path (form, API, service, plain save) because it lives
once, in ``Task.before_write``."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from guanxi.activities import services
from guanxi.activities.models import Task
from guanxi.core.models import ObjectChange
from guanxi.framework.api.testing import token_client
from guanxi.framework.statemachine import StateWriteRefused, allowed_transitions, transition
from guanxi.framework.testing.fixtures import as_system, as_user

from .test_services import REP_PERMS

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/activities/tasks/"


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=REP_PERMS, name="王芳", language="en")


@pytest.fixture
def armed(rep):
    """An open task due tomorrow 10:00 whose reminder (09:45) has already been sent."""
    due = (timezone.now() + datetime.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    with as_user(rep):
        task = services.create_task(actor=rep, title="回访杭州云帆", due_at=due)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    return Task.objects.get(pk=task.pk)


# --- transitions ----------------------------------------------------------------------------------------
def test_complete_then_reopen(rep, armed):
    at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    with as_user(rep):
        transition(armed, "complete", actor=rep, done_at=at)
        assert (armed.status, armed.done_at) == ("done", at)
        assert [t.name for t in allowed_transitions(armed, rep)] == ["reopen"]
        transition(armed, "reopen", actor=rep)
    armed.refresh_from_db()
    assert (armed.status, armed.done_at) == ("open", None)
    messages = ObjectChange.objects.filter(
        changed_object_type__model="task", changed_object_id=armed.pk, action="update"
    ).order_by("pk")
    assert list(messages.values_list("message", flat=True)) == [
        "Mark done (Open → Done)",
        "Reopen (Done → Open)",
    ]


def test_completing_a_done_task_through_the_transition_is_refused(rep, armed):
    with as_user(rep):
        services.complete_task(actor=rep, task=armed)
        first = Task.objects.get(pk=armed.pk).done_at
        services.complete_task(actor=rep, task=armed)  # the service stays idempotent
        with pytest.raises(ValidationError) as caught:
            transition(Task.objects.get(pk=armed.pk), "complete", actor=rep)
    assert caught.value.message_dict == {
        "transition": ["“Mark done” is not possible while the record is Done."]
    }
    assert Task.objects.get(pk=armed.pk).done_at == first


def test_a_plain_save_cannot_tick_a_task(rep, armed):
    armed.status = "done"
    with pytest.raises(StateWriteRefused), as_user(rep):
        armed.save()
    assert Task.objects.get(pk=armed.pk).status == "open"


def test_the_task_page_ticks_through_the_transition_button(client, rep, armed):
    client.force_login(rep)
    assert 'id="transition-complete"' in client.get(armed.get_absolute_url()).content.decode()
    client.post(reverse("activities:task_transition", args=[armed.pk]), {"transition": "complete"})
    armed.refresh_from_db()
    assert armed.status == "done" and armed.done_at is not None


def test_the_task_page_asks_done_at_with_a_date_and_time_picker_in_local_time(client, rep, armed):
    """ "Done at" was a text box wanting ISO: the dialog offers a date-and-time picker, whose
    value (local time, no zone) is read in the site's time zone, as a form's field reads it."""
    client.force_login(rep)
    page = client.get(armed.get_absolute_url()).content.decode()
    assert (
        '<input type="datetime-local" id="transition-complete-done_at" name="done_at" class="input">' in page
    )
    client.post(
        reverse("activities:task_transition", args=[armed.pk]),
        {"transition": "complete", "done_at": "2026-12-01T09:30"},
    )
    armed.refresh_from_db()
    local = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=timezone.get_current_timezone())
    assert (armed.status, armed.done_at) == ("done", local)


# --- the reminder rule, on every path -------------------------------------------------------------------
def expected_remind_at(due):
    return due - datetime.timedelta(minutes=15)


def test_a_new_due_time_rearms_the_reminder_through_the_service(rep, armed):
    new_due = armed.due_at + datetime.timedelta(days=1)
    with as_user(rep):
        task = services.update_task(actor=rep, task=armed, due_at=new_due)
    task = Task.objects.get(pk=task.pk)
    assert (task.due_at, task.remind_at, task.reminded_at) == (new_due, expected_remind_at(new_due), None)


def test_a_new_due_time_rearms_the_reminder_through_the_form(client, rep, armed):
    new_due = armed.due_at + datetime.timedelta(hours=3)
    client.force_login(rep)
    local = timezone.localtime(new_due).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("activities:task_edit", args=[armed.pk]),
        {
            "title": armed.title,
            "due_at": local,
            "priority": "normal",
            "description": "",
            "remind_at": timezone.localtime(armed.remind_at).strftime("%Y-%m-%dT%H:%M"),
            "owner": rep.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(pk=armed.pk)
    assert (task.due_at, task.remind_at, task.reminded_at) == (new_due, expected_remind_at(new_due), None)


def test_a_new_due_time_rearms_the_reminder_through_the_api(rep, armed):
    new_due = armed.due_at + datetime.timedelta(days=2)
    response = token_client(rep).patch(f"{TASKS}{armed.pk}/", {"due_at": new_due.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    task = Task.objects.get(pk=armed.pk)
    assert (task.due_at, task.remind_at, task.reminded_at) == (new_due, expected_remind_at(new_due), None)


def test_an_explicit_reminder_time_wins_and_other_edits_leave_the_reminder_alone(rep, armed):
    new_due = armed.due_at + datetime.timedelta(days=1)
    chosen = armed.due_at + datetime.timedelta(hours=20)
    with as_user(rep):
        services.update_task(actor=rep, task=armed, due_at=new_due, remind_at=chosen)
    task = Task.objects.get(pk=armed.pk)
    assert (task.remind_at, task.reminded_at) == (chosen, None)
    reminded = timezone.now()
    Task.objects.filter(pk=task.pk).update(reminded_at=reminded)
    with as_user(rep):
        services.update_task(actor=rep, task=task, title="回访杭州云帆（改期）")
    task = Task.objects.get(pk=armed.pk)
    assert (task.title, task.remind_at, task.reminded_at) == ("回访杭州云帆（改期）", chosen, reminded)


def test_the_rule_holds_on_a_plain_save_too(rep, armed):
    new_due = armed.due_at + datetime.timedelta(hours=1)
    with as_system():
        armed.due_at = new_due
        armed.save(update_fields=["due_at"])
    task = Task.objects.get(pk=armed.pk)
    assert (task.remind_at, task.reminded_at) == (expected_remind_at(new_due), None)
