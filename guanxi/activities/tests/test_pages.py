"""The 360° page (card, quick log, quick task, done tick), the timeline and "My day"; query counts
are pinned so they do not grow with the number of rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from guanxi.activities import services
from guanxi.activities.models import FollowUp, Task
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import perm

from .helpers import follow_up_on
from .test_services import REP_PERMS

pytestmark = pytest.mark.django_db

# session, user, grants (3), the record, its tags, the change log + its references (3), follow-ups
# + mentions + contacts they were logged on, tasks created, tasks done; one each for the other
# modules' sources: pool moves, "converted from lead", ownership transfers
TIMELINE_QUERIES = 19
DETAIL_QUERIES = 30


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=[*REP_PERMS, perm(Customer, "change")], name="王芳", language="en")


@pytest.fixture
def customer(rep):
    with as_system():
        return Customer.objects.create(name="杭州云帆贸易有限公司", owner=rep)


def ct(model):
    return ContentType.objects.get_for_model(model).pk


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_customer_page_has_the_quick_actions_and_card(client, rep, customer):
    client.force_login(rep)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="action-log-follow-up"' in page and 'id="action-add-task"' in page
    assert (
        'id="activities-panel"' in page and f'hx-post="/activities/log/{ct(Customer)}/{customer.pk}/"' in page
    )
    assert "followup:logged from:body" in page  # the timeline reloads after a log
    assert "No open tasks." in page


def test_card_is_left_out_for_users_who_cannot_log(client, make_user, customer):
    viewer = make_user("viewer", perms=[perm(Customer, "view")])
    client.force_login(viewer)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="action-log-follow-up"' not in page
    assert 'id="activities-log"' not in page


def test_quick_log_returns_the_card_and_fires_the_event(client, rep, customer):
    client.force_login(rep)
    next_time = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        f"/activities/log/{ct(Customer)}/{customer.pk}/",
        {
            "kind": "visit",
            "content": "上门拜访演示",
            "place": "苏州工业园区",
            "next_follow_up_at": local(next_time),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "followup:logged"
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card activities-panel" id="activities-panel"')
    assert "Visit logged." in body
    assert "Follow up 杭州云帆贸易有限公司" in body  # the new task is in the card's open tasks
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.place, follow_up.owner, follow_up.customer) == (
        "visit",
        "苏州工业园区",
        rep,
        customer,
    )
    assert Task.objects.get().due_at == next_time


def test_quick_log_with_bad_input_shows_the_message_and_saves_nothing(client, rep, customer):
    client.force_login(rep)
    response = client.post(
        f"/activities/log/{ct(Customer)}/{customer.pk}/",
        {"kind": "call", "content": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert "This field is required." in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_quick_log_on_a_hidden_record_is_404(client, make_user):
    user = make_user("nosee", perms=[perm(FollowUp, "add")])
    with as_system():
        customer = Customer.objects.create(name="看不见的客户")
    client.force_login(user)
    response = client.post(f"/activities/log/{ct(Customer)}/{customer.pk}/", {"kind": "call", "content": "x"})
    assert response.status_code == 404
    assert FollowUp.objects.count() == 0


def test_quick_task_and_done_tick(client, rep, customer):
    client.force_login(rep)
    response = client.post(
        f"/activities/task/{ct(Customer)}/{customer.pk}/",
        {
            "title": "寄送样品",
            "priority": "high",
            "due_at": local(timezone.now() + datetime.timedelta(hours=5)),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "task:changed"
    task = Task.objects.get()
    assert (task.title, task.priority, task.owner, task.customer, task.target) == (
        "寄送样品",
        "high",
        rep,
        customer,
        customer,
    )

    response = client.post(f"/tasks/{task.pk}/toggle/", {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Trigger"] == "task:changed"
    assert 'class="task-row done"' in response.content.decode()
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    client.post(f"/tasks/{task.pk}/toggle/", {"done": "0"}, headers={"HX-Request": "true"})
    task.refresh_from_db()
    assert (task.status, task.done_at) == ("open", None)


def test_done_tick_refused_outside_change_scope(client, make_user, rep):
    viewer = make_user("viewer", perms=[perm(Task, "view")])
    with as_user(rep):
        task = services.create_task(actor=rep, title="回访")
    client.force_login(viewer)
    assert client.post(f"/tasks/{task.pk}/toggle/", {"done": "1"}).status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_contact_page_card_and_the_customer_timeline_shows_the_contacts_follow_ups(client, rep, customer):
    with as_system():
        contact = Contact.objects.create(name="李娜")
        CustomerContact.objects.create(customer=customer, contact=contact, is_primary=True)
    client.force_login(rep)
    assert 'id="activities-panel"' in client.get(f"/contacts/{contact.pk}/").content.decode()
    with as_user(rep):
        services.log_follow_up(
            actor=rep, target=contact, kind="call", content="电话确认收货", outcome="reached"
        )
    timeline = client.get(f"/customers/{customer.pk}/timeline/").content.decode()
    assert "Call · 李娜" in timeline
    assert "电话确认收货<br>Outcome: Reached" in timeline
    contact_timeline = client.get(f"/contacts/{contact.pk}/timeline/").content.decode()
    assert "<strong>Call</strong>" in contact_timeline


def _fill(customer, owner, n, start):
    """``n`` follow-ups (half on a contact), tasks created and done, spread over time."""
    with as_system():
        contact = Contact.objects.create(name=f"联系人{start}")
        CustomerContact.objects.create(customer=customer, contact=contact)
    for i in range(n):
        target = contact if i % 2 else customer
        follow_up = follow_up_on(
            target,
            customer=customer,
            content=f"跟进{start + i}",
            owner=owner,
            occurred_at=timezone.now() - datetime.timedelta(hours=start + i),
        )
        with as_system():
            follow_up.mentions.add(owner)
            Task.objects.create(
                title=f"待办{start + i}",
                owner=owner,
                customer=customer,
                target_type_id=ct(Customer),
                target_id=customer.pk,
                done_at=timezone.now() if i % 3 == 0 else None,
                status="done" if i % 3 == 0 else "open",
            )


def test_timeline_query_count_is_bounded_and_pages_by_cursor(
    client, rep, customer, django_assert_max_num_queries
):
    _fill(customer, rep, 10, 0)
    client.force_login(rep)
    url = f"/customers/{customer.pk}/timeline/"
    client.get(url)  # warm caches
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    _fill(customer, rep, 60, 100)
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        first = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert first.count('class="timeline-entry') == 20
    cursor = re.search(r"\?before=([^\"]+)\"", first).group(1)
    second = client.get(f"{url}?before={cursor}", headers={"HX-Request": "true"}).content.decode()
    assert second.count('class="timeline-entry') == 20
    shown_first = set(re.findall(r"跟进\d+|待办\d+", first))
    shown_second = set(re.findall(r"跟进\d+|待办\d+", second))
    assert shown_first and shown_second and not shown_first & shown_second


def test_customer_page_query_count_does_not_grow(client, rep, customer, django_assert_max_num_queries):
    _fill(customer, rep, 5, 0)
    client.force_login(rep)
    url = f"/customers/{customer.pk}/"
    client.get(url)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200
    _fill(customer, rep, 40, 100)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        page = client.get(url).content.decode()
    assert page.count('class="task-row') == 10  # the card shows the first ten open tasks
    assert "All open tasks" in page


def test_follow_up_label_leaves_out_content_hidden_from_the_reader(client, make_user):
    """A follow-up's label ("电话 · <content>") in the list and the API: content hidden from the
    reader by a field rule is left out of it (the kind stays)."""
    from django.urls import reverse

    from guanxi.framework.api.testing import token_client
    from guanxi.framework.testing.scopes import give_role
    from guanxi.users.models import FieldRule

    user = make_user("reader", language="en")
    role = give_role(user, FollowUp, "own", ["view"])
    give_role(user, Customer, "own", ["view"], name="reader-customers")
    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", owner=user)
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(FollowUp),
            field_name="content",
            access="hidden",
        )
    follow_up = follow_up_on(customer, content="报价底线 80 万", owner=user)
    assert "报价底线" in str(follow_up)  # no reader: no field rule
    reader = type(user).objects.get(pk=user.pk)
    client.force_login(reader)
    html = client.get(reverse("activities:followup_list")).content.decode()
    assert follow_up.get_absolute_url() in html and "报价底线" not in html
    body = token_client(reader).get("/api/v1/activities/follow-ups/").json()
    assert [row["display"] for row in body["results"]] == [follow_up.get_kind_display()]
