"""The event outbox: written with the data, delivered once per subscriber, read through the API."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from guanxi.core.models import CustomField, Event, EventDelivery, Notification
from guanxi.framework.changes import log_bulk_create, log_bulk_update
from guanxi.framework.events import dispatch as events
from guanxi.framework.events import emit
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import api_client, give_role
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import FieldRule

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def gadget_events(**filters):
    ct = ContentType.objects.get_for_model(Gadget)
    return Event.objects.filter(entity_type=ct, **filters).order_by("id")


@pytest.fixture
def rep(make_user):
    return make_user("rep", name="王芳")


# --- writing ---------------------------------------------------------------------------------------


def test_create_update_delete_write_events_with_actor_fields_and_payload(rep):
    with as_user(rep):
        gadget = Gadget.objects.create(name="扫码枪", code="G-1", price="10.50", owner=rep)
        gadget.name = "扫码枪二代"
        gadget.save()
        pk = gadget.pk
        gadget.delete()
    created, updated, deleted = gadget_events(object_id=pk)
    assert [created.kind, updated.kind, deleted.kind] == ["created", "updated", "deleted"]
    assert {e.actor_id for e in (created, updated, deleted)} == {rep.pk}
    assert created.actor_name == "rep" and created.source == "test"
    # the API serializer's output, rules not applied
    assert created.payload["name"] == "扫码枪" and created.payload["price"] == "10.50"
    assert created.payload["owner"]["id"] == rep.pk and created.payload["url"].endswith(f"/gadgets/{pk}/")
    assert "name" in created.changed_fields
    assert updated.changed_fields == ["name"] and updated.payload["name"] == "扫码枪二代"
    assert deleted.payload["name"] == "扫码枪二代" and deleted.changed_fields == []
    assert {e.status for e in (created, updated, deleted)} == {"pending"}
    assert updated.request_id is not None


def test_a_rolled_back_write_leaves_no_event(rep):
    with pytest.raises(RuntimeError), as_user(rep), transaction.atomic():
        Gadget.objects.create(name="回滚", code="R-1")
        raise RuntimeError("roll back")
    assert not gadget_events().exists()


def test_bulk_loggers_write_one_event_per_change_with_the_changed_values(rep):
    with as_user(rep):
        rows = Gadget.objects.bulk_create([Gadget(name=f"G{i}", code=f"B-{i}") for i in range(3)])
        log_bulk_create(rows)
        before = {g.pk: {"status": g.status} for g in rows}
        Gadget.objects.filter(pk__in=[g.pk for g in rows[:2]]).update(status="retired")
        log_bulk_update(rows, before, {"status": "retired"}, message="retire")
    assert list(gadget_events().values_list("kind", flat=True)) == ["created"] * 3 + ["updated"] * 3
    update = gadget_events(kind="updated").first()
    assert update.payload == {"status": "retired"} and update.changed_fields == ["status"]
    assert gadget_events(kind="created").first().payload["code"] == "B-0"


def test_bulk_rows_and_events_equal_the_per_row_builders(rep, make_user):
    """``changes._change_rows`` and ``events._bulk_events`` hoist the per-row look-ups; every
    field of what they build equals what ``change_row`` / ``_event_for_change`` build per row."""
    from guanxi.core.models import ObjectChange
    from guanxi.framework.changes import _change_row, _change_rows
    from guanxi.framework.events import _bulk_events, _event_for_change

    other = make_user("other_actor")
    with as_system():
        gadgets = Gadget.objects.bulk_create([Gadget(name=f"G{i}", code=f"Q-{i}") for i in range(3)])
    with as_user(rep):
        changes = [(gadgets[0], None, {"code": "Q-0"}), (gadgets[1], {"name": "旧"}, {"name": "G1"})]
        bulk = _change_rows(changes, "update", "批量")
        single = [_change_row(g, "update", before, after, "批量") for g, before, after in changes]
        columns = [f.attname for f in ObjectChange._meta.concrete_fields if f.attname not in ("id", "time")]
        assert [[getattr(r, c) for c in columns] for r in bulk] == [
            [getattr(r, c) for c in columns] for r in single
        ]
        now = timezone.now()
        for row in bulk:
            row.time = now
        bulk[1].user = other  # a row of another actor than the context's
        bulk[1].action = "delete"
        events = _bulk_events(bulk)
        expected = [_event_for_change(row, None, serialize=False) for row in bulk]
    # every column but the key and the per-row clocks (a delivery's "due at" defaults to now)
    columns = [
        f.attname for f in Event._meta.concrete_fields if f.attname != "id" and f.default is not timezone.now
    ]
    assert [[getattr(e, c) for c in columns] for e in events] == [
        [getattr(e, c) for c in columns] for e in expected
    ]
    assert (events[1].kind, events[1].actor_name, events[1].payload) == (
        "deleted",
        "other_actor",
        {"name": "旧"},
    )


def test_emit_writes_a_typed_event_and_refuses_an_undotted_kind(rep):
    with as_system():
        gadget = Gadget.objects.create(name="秤", code="E-1")
    with as_user(rep):
        event = emit("gadget.pinged", gadget, note="hello")
        with pytest.raises(ValueError, match="dotted"):
            emit("pinged", gadget)
    event.refresh_from_db()
    assert (event.kind, event.data, event.actor_id, event.payload["code"]) == (
        "gadget.pinged",
        {"note": "hello"},
        rep.pk,
        "E-1",
    )


# --- dispatching -----------------------------------------------------------------------------------


def ping(rep, n=1):
    with as_system():
        gadget = Gadget.objects.create(name="秤", code=f"P-{Gadget.objects.count()}")
    with as_user(rep):
        return [emit("gadget.pinged", gadget) for _ in range(n)]


def test_dispatch_delivers_each_event_once_and_marks_every_event_done(rep):
    pinged = ping(rep, 2)
    assert events.drain(worker="w1") == Event.objects.count()
    assert Event.objects.exclude(status="done").count() == 0
    assert sorted(Notification.objects.values_list("title", flat=True)) == [f"ping {e.pk}" for e in pinged]
    assert EventDelivery.objects.count() == 2
    assert events.drain(worker="w1") == 0  # nothing left


def test_a_claim_belongs_to_one_worker_until_its_lease_expires(rep):
    (event,) = ping(rep)
    Event.objects.exclude(pk=event.pk).update(status="done")
    assert events.claim("w1") == [event.pk]
    assert events.claim("w2") == []  # held by w1
    later = timezone.now() + dt.timedelta(seconds=301)
    assert events.claim("w2", now=later) == [event.pk]  # w1's lease expired: w1 presumably died
    event.refresh_from_db()
    assert (event.claimed_by, event.attempts, event.status) == ("w2", 2, "delivering")


def test_a_retry_skips_subscribers_already_done_and_failing_ones_back_off(rep, monkeypatch):
    (event,) = ping(rep)
    calls = []

    def flaky(e):
        calls.append(e.pk)
        raise RuntimeError("endpoint down")

    monkeypatch.setitem(
        events.SUBSCRIBERS,
        "test.flaky",
        events.Subscriber("test.flaky", flaky, "testapp.gadget", frozenset({"gadget.pinged"})),
    )
    events.drain(worker="w1")
    event.refresh_from_db()
    assert event.status == "pending" and "endpoint down" in event.last_error
    assert event.next_attempt_at > timezone.now() + dt.timedelta(seconds=5)  # backed off
    assert Notification.objects.filter(title=f"ping {event.pk}").count() == 1  # the other subscriber ran
    # the retry, once due: only the failing subscriber runs again
    Event.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    events.drain(worker="w1")
    assert Notification.objects.filter(title=f"ping {event.pk}").count() == 1
    assert calls == [event.pk, event.pk]
    Event.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now(), attempts=events.MAX_ATTEMPTS)
    events.drain(worker="w1")
    event.refresh_from_db()
    assert event.status == "failed"


def test_the_immediate_backend_dispatches_after_commit(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (event,) = ping(rep)
    assert Notification.objects.filter(title=f"ping {event.pk}").count() == 1


@override_settings(TASKS=DB_TASKS)
def test_with_a_worker_backend_delivery_waits_for_the_worker(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (event,) = ping(rep)
    assert not Notification.objects.exists()
    events.drain(worker="w1")
    assert Notification.objects.filter(title=f"ping {event.pk}").count() == 1


# --- the API ---------------------------------------------------------------------------------------

URL = "/api/v1/core/events/"


@pytest.fixture
def two_reps(make_user, admin_user):
    mine, other = make_user("mine"), make_user("other")
    give_role(mine, Gadget, "own", ["view", "change"])
    with as_system():
        a = Gadget.objects.create(name="我的", code="A-1", owner=mine, phone="+8613800138000", price=5)
        b = Gadget.objects.create(name="别人的", code="B-1", owner=other)
        gone = Gadget.objects.create(name="删掉的", code="C-1", owner=mine)
        gone.delete()
    return mine, a, b


def test_a_reader_sees_events_of_records_in_their_scope_only(two_reps):
    mine, a, _b = two_reps
    response = api_client(mine).get(URL, {"entity": "testapp.gadget"})
    assert response.status_code == 200
    # events of a deleted record need an unrestricted view of the type
    assert [(r["kind"], r["object_id"]) for r in response.json()["results"]] == [("created", a.pk)]


def test_an_unrestricted_reader_sees_every_event_including_deleted_records(two_reps, make_user):
    boss = make_user("boss")
    give_role(boss, Gadget, "all", ["view"])
    rows = api_client(boss).get(URL, {"entity": "testapp.gadget", "ordering": "id"}).json()["results"]
    assert [(r["kind"], r["object_repr"]) for r in rows] == [
        ("created", "我的"),
        ("created", "别人的"),
        ("created", "删掉的"),
        ("deleted", "删掉的"),
    ]
    assert rows[0]["entity"] == "testapp.gadget" and rows[0]["payload"]["name"] == "我的"


def test_payloads_obey_the_readers_field_rules(two_reps):
    mine, a, _b = two_reps
    role = mine.roles.get()
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        CustomField.objects.create(content_type=ct, name="mail", label="邮箱", type="email")
        FieldRule.objects.create(role=role, content_type=ct, field_name="phone", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="price", access="hidden")
    with as_user(mine):
        a.price = 9
        a.save()
    rows = api_client(mine).get(URL, {"entity": "testapp.gadget", "ordering": "id"}).json()["results"]
    created, updated = rows
    assert created["payload"]["phone"] == "138****8000" and "price" not in created["payload"]
    assert updated["changed_fields"] == [] and "price" not in updated["payload"]


def test_filters_and_token_scopes(two_reps, make_user):
    mine, a, _b = two_reps
    from guanxi.framework.api.testing import token_client

    client = api_client(mine)
    assert client.get(URL, {"object_id": a.pk, "kind": "created"}).json()["count"] == 1
    assert client.get(URL, {"kind": "deleted"}).json()["count"] == 0
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert client.get(URL, {"since": future}).json()["count"] == 0
    assert client.get(URL, {"until": future}).json()["count"] == 1
    bad = client.get(URL, {"entity": "nope.nothing"})
    assert bad.status_code == 400 and "entity" in bad.json()["errors"]
    # a token limited to another app's data reads no gadget events
    assert token_client(mine, scopes=["customers:read"]).get(URL).json()["count"] == 0
    assert token_client(mine, scopes=["testapp:read"]).get(URL).json()["count"] == 1
    assert api_client(make_user("nobody")).get(URL).json()["count"] == 0


def test_the_hourly_prune_removes_old_delivered_events_only(rep):
    from guanxi.core.tasks import prune_delivered_events
    from guanxi.framework.schedules import discover

    assert discover()["prune_delivered_events"].every == dt.timedelta(hours=1)
    old, failed, recent = ping(rep, 3)
    events.drain(worker="w1")
    long_ago = timezone.now() - dt.timedelta(days=91)
    Event.objects.filter(pk__in=[old.pk, failed.pk]).update(occurred_at=long_ago)
    Event.objects.filter(pk=failed.pk).update(status="failed")
    prune_delivered_events.call()
    assert not Event.objects.filter(pk=old.pk).exists()
    assert Event.objects.filter(pk__in=[failed.pk, recent.pk]).count() == 2
    assert not EventDelivery.objects.filter(event_id=old.pk).exists()
