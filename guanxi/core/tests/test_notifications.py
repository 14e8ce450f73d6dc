"""Notifications: the service, the pages, the bell menu, and isolation between users."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.models import Job, Notification
from guanxi.framework.context import Source, actor_context
from guanxi.framework.notify import mark_read, notify, notify_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(django_user_model):
    with actor_context(None, source=Source.TEST):
        return (
            django_user_model.objects.create_user("alice", name="Alice", language="en"),
            django_user_model.objects.create_user("bob", name="Bob", language="en"),
        )


@pytest.fixture
def alice_client(client, users):
    client.force_login(users[0])
    return client


def test_notify_saves_one_notification(users):
    alice, bob = users
    note = notify(alice, "Deal won", body="ACME signed", url="/deals/1/", level="success", actor=bob)
    note.refresh_from_db()
    assert (note.recipient, note.actor, note.title, note.body, note.url, note.level, note.read_at) == (
        alice,
        bob,
        "Deal won",
        "ACME signed",
        "/deals/1/",
        "success",
        None,
    )


def test_notify_rejects_an_unknown_level(users):
    with pytest.raises(ValueError, match="Unknown notification level"):
        notify(users[0], "x", level="urgent")
    assert Notification.objects.count() == 0


def test_notify_many_is_one_insert_and_skips_duplicates(users, django_assert_num_queries):
    alice, bob = users
    with django_assert_num_queries(1):
        rows = notify_many([alice, bob, alice, None], "Pool rules changed", level="warning")
    assert len(rows) == 2
    assert sorted(Notification.objects.values_list("recipient__username", "title", "level")) == [
        ("alice", "Pool rules changed", "warning"),
        ("bob", "Pool rules changed", "warning"),
    ]


def test_mark_read_touches_only_the_recipients_rows(users):
    alice, bob = users
    a1, a2 = notify(alice, "a1"), notify(alice, "a2")
    b1 = notify(bob, "b1")
    assert mark_read(alice, b1.pk) == 0
    assert mark_read(alice, a1.pk) == 1
    assert list(
        Notification.objects.filter(read_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    ) == [a2.pk, b1.pk]
    assert mark_read(alice) == 1
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == [b1.pk]


def test_list_shows_only_my_notifications(alice_client, users):
    alice, bob = users
    notify(alice, "For Alice")
    notify(bob, "For Bob")
    response = alice_client.get(reverse("notification_list"))
    assert response.status_code == 200
    assert [n.title for n in response.context["page"].object_list] == ["For Alice"]
    assert "For Bob" not in response.content.decode()


def test_unread_tab_filters(alice_client, users):
    alice = users[0]
    notify(alice, "Old news")
    mark_read(alice)
    notify(alice, "Fresh")
    response = alice_client.get(reverse("notification_list"), {"unread": "1"})
    assert [n.title for n in response.context["page"].object_list] == ["Fresh"]


def test_list_query_count_does_not_grow_with_rows(alice_client, users, django_assert_max_num_queries):
    alice, bob = users
    for i in range(30):
        notify(alice, f"Note {i}", actor=bob)
    # incl. the record shares the menu's Customers entry reads, and the organisation version (read
    # from its row: each test starts with an empty cache)
    # 11 since the menu's data-quality entry asks whether the user leads a team (cold snapshot)
    with django_assert_max_num_queries(11):
        response = alice_client.get(reverse("notification_list"))
    assert len(response.context["page"].object_list) == 25


def test_mark_one_read_and_follow_its_link(alice_client, users):
    note = notify(users[0], "Open me", url="/jobs/")
    response = alice_client.post(reverse("notification_read", args=[note.pk]), {"next": note.url})
    assert (response.status_code, response["Location"]) == (302, "/jobs/")
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_refuses_an_external_next(alice_client, users):
    note = notify(users[0], "x")
    response = alice_client.post(
        reverse("notification_read", args=[note.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notification_list")


def test_mark_read_with_htmx_returns_the_row(alice_client, users):
    note = notify(users[0], "Row")
    response = alice_client.post(reverse("notification_read", args=[note.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="notification-{note.pk}" class="is-read">')


def test_mark_all_read(alice_client, users):
    alice, bob = users
    notify(alice, "1")
    notify(alice, "2")
    notify(bob, "bob's")
    response = alice_client.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_mark_read_needs_post(alice_client, users):
    note = notify(users[0], "x")
    assert alice_client.get(reverse("notification_read", args=[note.pk])).status_code == 405
    assert alice_client.get(reverse("notification_read_all")).status_code == 405


def test_another_users_notification_is_404(alice_client, users):
    bobs = notify(users[1], "Private")
    response = alice_client.post(reverse("notification_read", args=[bobs.pk]))
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_menu_lists_the_eight_latest(alice_client, users):
    for i in range(10):
        notify(users[0], f"Note {i}")
    notify(users[1], "Bob only")
    response = alice_client.get(reverse("notification_menu"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == [f"Note {i}" for i in range(9, 1, -1)]
    assert "Bob only" not in response.content.decode()
    assert 'action="/notifications/read-all/"' in response.content.decode()


def test_pages_need_login(client):
    for name, args in (
        ("notification_list", []),
        ("notification_menu", []),
        ("job_list", []),
        ("job_detail", [1]),
        ("job_progress", [1]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/") or "login" in response["Location"], name
    assert client.post(reverse("notification_read_all")).status_code == 302
    assert Job.objects.count() == 0
