"""Scenario tests of the activities services: given / when / then, exact values, and on a denial
nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import formats, timezone, translation

from guanxi.activities import services
from guanxi.activities.models import FollowUp, Task
from guanxi.core.models import Notification, ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import perm

pytestmark = pytest.mark.django_db

REP_PERMS = [
    perm(Customer, "view"),
    perm(Contact, "view"),
    perm(FollowUp, "view"),
    perm(FollowUp, "add"),
    perm(Task, "view"),
    perm(Task, "add"),
    perm(Task, "change"),
]


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=REP_PERMS, name="王芳", language="en", email="wangfang@example.com")


@pytest.fixture
def customer():
    with as_system():
        return Customer.objects.create(name="杭州云帆贸易有限公司")


def log(actor, target, **kwargs):
    kwargs.setdefault("kind", "call")
    kwargs.setdefault("content", "电话沟通报价")
    with as_user(actor):
        return services.log_follow_up(actor=actor, target=target, **kwargs)


def test_logging_a_call_with_a_next_follow_up_creates_the_task_and_bumps_last_contacted(
    rep, customer, django_capture_on_commit_callbacks
):
    when = timezone.now() - datetime.timedelta(minutes=30)
    next_time = timezone.now() + datetime.timedelta(days=2)
    follow_up = log(
        rep,
        customer,
        occurred_at=when,
        outcome="interested",
        next_step="发正式报价",
        next_follow_up_at=next_time,
    )

    assert (follow_up.owner, follow_up.target, follow_up.customer, follow_up.kind) == (
        rep,
        customer,
        customer,
        "call",
    )
    task = Task.objects.get()
    assert task.title == "发正式报价 · 杭州云帆贸易有限公司"  # the next step is the task
    assert (task.owner, task.due_at, task.remind_at) == (
        rep,
        next_time,
        next_time - datetime.timedelta(minutes=15),
    )
    assert (task.follow_up, task.customer, task.target, task.description) == (
        follow_up,
        customer,
        customer,
        "发正式报价",
    )
    customer.refresh_from_db()
    assert customer.last_contacted_at == when
    # the follow-up and its task are in the change log by the author; last_contacted is not
    assert (
        ObjectChange.objects.filter(changed_object_type__model="followup", user=rep, action="create").count()
        == 1
    )
    assert (
        ObjectChange.objects.filter(changed_object_type__model="task", user=rep, action="create").count() == 1
    )
    assert not ObjectChange.objects.filter(changed_object_type__model="customer", action="update").exists()


def test_task_title_follows_the_authors_chinese(make_user, customer):
    author = make_user("zh", perms=REP_PERMS, language="zh-hans")
    log(author, customer, next_follow_up_at=timezone.now() + datetime.timedelta(hours=3))
    assert Task.objects.get().title == "跟进 杭州云帆贸易有限公司"


def test_task_title_without_a_next_step_is_in_the_authors_language(rep, customer):
    log(rep, customer, next_follow_up_at=timezone.now() + datetime.timedelta(hours=3))
    assert Task.objects.get().title == "Follow up 杭州云帆贸易有限公司"


def test_next_step_becomes_the_task_title_whitespace_folded(rep, customer):
    log(
        rep,
        customer,
        next_step="  发送修订版报价单\n ",
        next_follow_up_at=timezone.now() + datetime.timedelta(days=1),
    )
    task = Task.objects.get()
    assert (task.title, task.description) == (
        "发送修订版报价单 · 杭州云帆贸易有限公司",
        "  发送修订版报价单\n ",
    )


def test_last_contacted_only_moves_forward(rep, customer):
    recent = timezone.now() - datetime.timedelta(hours=1)
    log(rep, customer, occurred_at=recent)
    log(
        rep,
        customer,
        occurred_at=recent - datetime.timedelta(days=3),
        content="补录三天前的拜访",
        kind="visit",
    )
    customer.refresh_from_db()
    assert customer.last_contacted_at == recent
    assert FollowUp.objects.count() == 2


def test_follow_up_on_a_contact_concerns_its_primary_customer(rep, customer):
    with as_system():
        other = Customer.objects.create(name="宁波海运物流有限公司")
        contact = Contact.objects.create(name="李娜")
        CustomerContact.objects.create(customer=other, contact=contact)
        CustomerContact.objects.create(customer=customer, contact=contact, is_primary=True)
    follow_up = log(rep, contact, kind="wechat", content="微信发送产品资料")
    assert (follow_up.target, follow_up.customer) == (contact, customer)
    customer.refresh_from_db()
    other.refresh_from_db()
    assert customer.last_contacted_at == follow_up.occurred_at
    assert other.last_contacted_at is None
    # the other customer can be chosen explicitly; an unrelated one cannot
    chosen = log(rep, contact, customer=other)
    assert chosen.customer == other
    with as_system():
        stranger = Customer.objects.create(name="无关客户")
    with pytest.raises(ValidationError) as error:
        log(rep, contact, customer=stranger)
    assert "customer" in error.value.message_dict
    assert FollowUp.objects.count() == 2


def test_mentions_notify_only_colleagues_who_may_view_the_target(
    rep, customer, make_user, django_capture_on_commit_callbacks
):
    viewer = make_user("viewer", perms=[perm(Customer, "view")], language="zh-hans", name="张伟")
    blind = make_user("blind", perms=[], name="刘洋")
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = log(rep, customer, mentions=[viewer, blind, rep], content="客户要求周五前报价")
    assert set(follow_up.mentions.all()) == {viewer, blind, rep}
    notes = list(Notification.objects.all())
    assert [(n.recipient, n.title, n.body, n.url) for n in notes] == [
        (
            viewer,
            "王芳 在 杭州云帆贸易有限公司 的跟进记录中提到了你",
            "客户要求周五前报价",
            customer.get_absolute_url(),
        )
    ]


def test_inactive_colleagues_cannot_be_mentioned(rep, customer, make_user):
    former = make_user("former", is_active=False)
    with pytest.raises(ValidationError) as error:
        log(rep, customer, mentions=[former])
    assert "mentions" in error.value.message_dict
    assert FollowUp.objects.count() == 0


def test_refused_without_view_on_the_target_and_nothing_changes(make_user, customer):
    outsider = make_user("outsider", perms=[perm(FollowUp, "add"), perm(Task, "add")])
    with pytest.raises(PermissionDenied):
        log(outsider, customer, next_follow_up_at=timezone.now() + datetime.timedelta(days=1))
    customer.refresh_from_db()
    assert (FollowUp.objects.count(), Task.objects.count(), customer.last_contacted_at) == (0, 0, None)


def test_refused_without_add_on_follow_ups(make_user, customer):
    viewer = make_user("viewer", perms=[perm(Customer, "view")])
    with pytest.raises(PermissionDenied):
        log(viewer, customer)
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"content": "   "}, "content"),
        ({"kind": "fax"}, "kind"),
        ({"occurred_at": timezone.now() + datetime.timedelta(days=1)}, "occurred_at"),
        ({"next_follow_up_at": timezone.now() - datetime.timedelta(days=1)}, "next_follow_up_at"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(rep, customer, kwargs, field):
    with pytest.raises(ValidationError) as error:
        log(rep, customer, **kwargs)
    assert field in error.value.message_dict
    customer.refresh_from_db()
    assert (FollowUp.objects.count(), Task.objects.count(), customer.last_contacted_at) == (0, 0, None)


def test_place_is_kept_for_visits_only(rep, customer):
    visit = log(rep, customer, kind="visit", place="苏州工业园区星湖街 328 号", content="上门拜访演示")
    call = log(rep, customer, kind="call", place="不该保存")
    assert (visit.place, call.place) == ("苏州工业园区星湖街 328 号", "")


# -- tasks -----------------------------------------------------------------------------------------


def test_default_reminder_time():
    now = timezone.now()
    assert services.default_remind_at(now + datetime.timedelta(hours=2), now=now) == now + datetime.timedelta(
        hours=1, minutes=45
    )
    assert services.default_remind_at(now + datetime.timedelta(minutes=5), now=now) == now
    assert services.default_remind_at(now - datetime.timedelta(minutes=5), now=now) is None
    assert services.default_remind_at(None, now=now) is None


def test_complete_and_reopen_are_idempotent(rep):
    with as_user(rep):
        task = services.create_task(actor=rep, title="回访")
        first = services.complete_task(actor=rep, task=task)
        again = services.complete_task(actor=rep, task=task, now=timezone.now() + datetime.timedelta(hours=1))
    assert (again.status, again.done_at) == ("done", first.done_at)
    with as_user(rep):
        reopened = services.reopen_task(actor=rep, task=task)
    assert (reopened.status, reopened.done_at) == ("open", None)


def test_completing_someone_elses_task_without_permission_changes_nothing(rep, make_user):
    viewer = make_user("viewer", perms=[perm(Task, "view")])
    with as_user(rep):
        task = services.create_task(actor=rep, title="回访")
    with pytest.raises(PermissionDenied), as_user(viewer):
        services.complete_task(actor=viewer, task=task)
    task.refresh_from_db()
    assert (task.status, task.done_at) == ("open", None)


def test_a_rep_with_own_scope_cannot_hand_a_task_to_a_colleague(make_user):
    from guanxi.framework.testing.scopes import give_role

    rep1 = make_user("rep1")
    rep2 = make_user("rep2")
    give_role(rep1, Task, "own", ["view", "add", "change"])
    with pytest.raises(PermissionDenied), as_user(rep1):
        services.create_task(actor=rep1, title="帮我打个电话", assignee=rep2)
    assert Task.objects.count() == 0
    with as_user(rep1):
        own = services.create_task(actor=rep1, title="自己打电话")
    assert own.owner == rep1


def test_assigning_a_task_notifies_the_assignee(rep, make_user, django_capture_on_commit_callbacks):
    other = make_user("other", language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True), as_user(rep):
        services.create_task(actor=rep, title="准备投标文件", assignee=other)
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("other", "王芳 给你分配了待办：准备投标文件")
    ]


def test_update_task_moves_the_reminder_with_the_due_time(rep):
    due = timezone.now() + datetime.timedelta(days=1)
    with as_user(rep):
        task = services.create_task(actor=rep, title="回访", due_at=due)
        Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
        task = services.update_task(actor=rep, task=task, due_at=due + datetime.timedelta(hours=4))
    assert task.remind_at == due + datetime.timedelta(hours=3, minutes=45)
    assert task.reminded_at is None
    with pytest.raises(ValidationError), as_user(rep):
        services.update_task(actor=rep, task=task, status="done")


# -- reminders -------------------------------------------------------------------------------------


def _task_due(rep, due):
    with as_user(rep):
        return services.create_task(actor=rep, title="给王总回电话", due_at=due, description="确认报价")


def test_reminders_are_sent_once_in_app_and_by_email(rep, django_capture_on_commit_callbacks):
    now = timezone.now()
    task = _task_due(rep, now + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now + datetime.timedelta(minutes=30)) == 0
        assert services.send_due_reminders(now + datetime.timedelta(minutes=46)) == 1
        assert services.send_due_reminders(now + datetime.timedelta(minutes=50)) == 0  # idempotent
    task.refresh_from_db()
    assert task.reminded_at == now + datetime.timedelta(minutes=46)
    # the reader's date format (guanxi.formats), in the reader's time zone
    with translation.override(rep.language or "zh-hans"):
        due_local = formats.date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT")
    title = f"Reminder: 给王总回电话 (due {due_local})"
    assert list(Notification.objects.values_list("recipient", "title", "body", "url", "level")) == [
        (rep.pk, title, "确认报价", task.get_absolute_url(), "warning")
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [(["wangfang@example.com"], title)]
    assert task.get_absolute_url() in mail.outbox[0].body
    # the reminder is bookkeeping: no history entry for it
    assert not ObjectChange.objects.filter(changed_object_type__model="task", action="update").exists()


def test_done_tasks_and_tasks_without_reminder_are_skipped(rep):
    now = timezone.now()
    done = _task_due(rep, now + datetime.timedelta(minutes=20))
    with as_user(rep):
        services.complete_task(actor=rep, task=done)
        services.create_task(actor=rep, title="没有截止时间")
    assert services.send_due_reminders(now + datetime.timedelta(hours=2)) == 0
    assert Notification.objects.count() == 0


@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}})
def test_without_a_mail_server_reminders_stay_in_app(rep, django_capture_on_commit_callbacks):
    now = timezone.now()
    _task_due(rep, now + datetime.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now + datetime.timedelta(minutes=1)) == 1
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_the_periodic_schedule_calls_the_service(rep):
    from guanxi.activities import tasks
    from guanxi.framework.schedules import SCHEDULES

    assert SCHEDULES["task_reminders"].every == datetime.timedelta(minutes=1)
    _task_due(rep, timezone.now() + datetime.timedelta(minutes=5))
    assert tasks.task_reminders.call() == 1
    assert Notification.objects.count() == 1


def test_moving_a_records_follow_ups_to_a_customer(rep, make_user, customer):
    """What the lead conversion calls: the contact's (here: a stand-in record's) history moves over."""
    with as_system():
        contact = Contact.objects.create(name="陈静")
    old = timezone.now() - datetime.timedelta(days=2)
    log(rep, contact, occurred_at=old, next_follow_up_at=timezone.now() + datetime.timedelta(days=1))
    assert FollowUp.objects.get().customer is None
    editor = make_user("editor", perms=[*REP_PERMS, perm(Customer, "change")])
    assert services.move_to_customer(actor=editor, target=contact, customer=customer) == 2
    assert (FollowUp.objects.get().customer, Task.objects.get().customer) == (customer, customer)
    customer.refresh_from_db()
    assert customer.last_contacted_at == old
    with pytest.raises(PermissionDenied):
        services.move_to_customer(actor=rep, target=contact, customer=customer)  # no change on customers


def test_a_follow_up_on_a_new_lead_marks_it_contacted_and_never_rewinds_last_contacted(make_user):
    from guanxi.customers.models import Lead

    author = make_user("lead_caller", perms=[*REP_PERMS, "customers.view_lead", "customers.change_lead"])
    with as_system():
        lead = Lead.objects.create(name="秦朗", company="宁波甬江贸易", owner=author)
    log(author, lead)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED
    latest = lead.last_contacted_at
    assert latest is not None
    log(author, lead, occurred_at=latest - datetime.timedelta(days=3))  # a call noted late
    lead.refresh_from_db()
    assert lead.last_contacted_at == latest
