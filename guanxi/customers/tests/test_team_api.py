"""The record team of a customer over the API (``guanxi.framework.api.team``): the owner adds a
colleague, changes their access and removes them — each step in the customer's history and the
event outbox, and the colleague's lists follow at once (``restrict()``); a rep who does not own
the customer is refused and nothing changes; errors come in the user's language; the query
counts are pinned."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.core.models import Event, ObjectChange, RecordShare
from guanxi.customers.models import Customer
from guanxi.customers.pools.tests import pool_fixtures
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
org = pool_fixtures.org  # the fixture: 张三, 李四 (华东销售一部), 王五 (二部) — sales reps, own scope
API = "/api/v1/customers/customers/"


@pytest.fixture
def customer(org):
    """张三's customer."""
    return org.customer("苏州明远精密机械有限公司", owner="zhang", owned_days=5, phone="+8613912345678")


def team_of(customer):
    ct = ContentType.objects.get_for_model(Customer)
    return sorted(
        RecordShare.objects.filter(content_type=ct, object_id=customer.pk).values_list(
            "user__username", "access"
        )
    )


def share_rows():
    """(action, repr, before, after) of the team's change-log rows, oldest first."""
    return [
        (
            row.action,
            row.object_repr,
            (row.prechange_data or {}).get("access"),
            (row.postchange_data or {}).get("access"),
        )
        for row in ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(RecordShare)
        ).order_by("pk")
    ]


def visible_ids(user, api=None):
    api = api or token_client(user)
    return {row["id"] for row in api.get(API, {"page_size": 500}).json()["results"]}


def test_the_owner_adds_changes_and_removes_a_colleague_and_the_history_says_so(org, customer):
    zhang, li = org.users["zhang"], org.users["li"]
    api, as_li = token_client(zhang), token_client(li)
    url = f"{API}{customer.pk}/team/"
    assert customer.pk not in visible_ids(li, as_li)
    events = Event.objects.count()

    added = api.post(url, {"user": li.pk}, format="json")  # read access unless said otherwise
    assert added.status_code == 200, added.content
    assert (added.json()["id"], added.json()["display"]) == (customer.pk, "苏州明远精密机械有限公司")
    assert team_of(customer) == [("li", "read")]
    assert customer.pk in visible_ids(li, as_li)  # the colleague's list follows at once
    refused = as_li.patch(f"{API}{customer.pk}/", {"notes": "mine"}, format="json")
    assert refused.status_code == 403  # they see it, and are told they may only view it
    assert refused.json()["detail"] == "You may view this customer but not change it."

    changed = api.post(url, {"user": li.pk, "access": "write"}, format="json")
    assert changed.status_code == 200, changed.content
    assert team_of(customer) == [("li", "write")]
    assert as_li.patch(f"{API}{customer.pk}/", {"notes": "mine"}, format="json").status_code == 200

    [member] = api.get(url).json()
    assert (member["user"]["id"], member["user"]["display"], member["access"]) == (li.pk, "李四", "write")
    assert member["added_by"]["display"] == "张三"

    removed = api.delete(f"{url}{li.pk}/")
    assert removed.status_code == 200, removed.content
    assert team_of(customer) == []
    assert customer.pk not in visible_ids(li, as_li)

    # the change log: three rows on the team member, each filed under the customer, by 张三 over the API
    assert share_rows() == [
        ("create", "李四 (Can view)", None, "read"),
        ("update", "李四 (Can edit)", "read", "write"),
        ("delete", "李四 (Can edit)", "write", None),
    ]
    rows = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(RecordShare))
    assert {(r.related_object_id, r.user_id, r.source) for r in rows} == {(customer.pk, zhang.pk, "api")}
    history = api.get(
        "/api/v1/core/changes/", {"object_type": "customers.customer", "object_id": customer.pk}
    )
    assert [(row["action"], row["object_type"]) for row in history.json()["results"]][:4] == [
        ("delete", "core.recordshare"),
        ("update", "customers.customer"),  # li's edit with write access
        ("update", "core.recordshare"),
        ("create", "core.recordshare"),
    ]
    # … and the outbox: one event per write, in the same transactions (li's PATCH adds its own)
    share_events = Event.objects.filter(entity_type=ContentType.objects.get_for_model(RecordShare))
    assert list(share_events.order_by("pk").values_list("kind", "actor_id", "source")) == [
        ("created", zhang.pk, "api"),
        ("updated", zhang.pk, "api"),
        ("deleted", zhang.pk, "api"),
    ]
    assert Event.objects.count() == events + 4  # the three above and li's edit of the customer


def test_a_rep_who_does_not_own_the_customer_is_refused_and_nothing_changes(org, customer):
    li, wang = org.users["li"], org.users["wang"]
    with as_system():
        RecordShare.objects.create(
            content_type=ContentType.objects.get_for_model(Customer),
            object_id=customer.pk,
            user=li,
            access="write",
        )
    before = (team_of(customer), ObjectChange.objects.count(), Event.objects.count())
    as_li = token_client(li)
    url = f"{API}{customer.pk}/team/"
    for response in (
        as_li.post(url, {"user": wang.pk, "access": "write"}, format="json"),
        as_li.post(url, {"user": li.pk, "access": "read"}, format="json"),  # not even their own access
        as_li.delete(f"{url}{li.pk}/"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "Only the owner and their managers can change this record's team."
    assert (team_of(customer), ObjectChange.objects.count(), Event.objects.count()) == before
    # 王五 cannot see the customer at all: for him it does not exist
    assert token_client(wang).post(url, {"user": wang.pk}, format="json").status_code == 404
    assert (team_of(customer), ObjectChange.objects.count(), Event.objects.count()) == before


def test_errors_are_on_the_field_and_in_the_users_language(org, customer):
    from guanxi.users.models import User

    with as_system():
        User.objects.filter(pk=org.users["zhang"].pk).update(language="zh-hans")
        User.objects.filter(pk=org.users["zhao"].pk).update(is_active=False)
    api = token_client(org.users["zhang"], language="zh-hans")
    url = f"{API}{customer.pk}/team/"
    cases = [
        ({"user": 10**9}, {"user": ["请选择一位同事。"]}),
        ({"user": "张三"}, {"user": ["请选择一位同事。"]}),
        ({"access": "write"}, {"user": ["请选择一位同事。"]}),
        ({"user": org.users["zhang"].pk}, {"user": ["张三 已是该记录的负责人。"]}),
        ({"user": org.users["zhao"].pk}, {"user": ["赵六 已停用。"]}),
        ({"user": org.users["li"].pk, "access": "admin"}, {"access": ["请选择“可查看”或“可编辑”。"]}),
    ]
    for body, errors in cases:
        response = api.post(url, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"] == errors, body
    missing = api.delete(f"{url}{org.users['li'].pk}/")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "这位同事不在该记录的团队中。"
    assert team_of(customer) == []


def test_a_customer_in_a_pool_has_an_empty_team_nobody_but_an_administrator_changes(org):
    waiting = org.customer("无锡启航物流", pool=org.national)
    url = f"{API}{waiting.pk}/team/"
    api = token_client(org.users["zhang"])
    assert api.get(url).json() == []  # every rep sees the pool's customers
    assert api.post(url, {"user": org.users["li"].pk}, format="json").status_code == 403
    assert team_of(waiting) == []


# list: the token, the record (alone: no joins or prefetches), the team with its users joined.
# add / remove: the token, the record, the colleague, the share (savepoints, its write, change
# log, event), then the answer: the record and its tags, and the access snapshot's field rules
# rebuilt (the write bumped the organisation version).
@pytest.mark.parametrize(("call", "queries"), [("list", 3), ("add", 13), ("remove", 13)])
def test_query_counts_are_pinned(org, customer, call, queries, django_assert_num_queries):
    zhang = org.users["zhang"]
    with as_system():
        for key in ("li", "wang", "manager"):
            RecordShare.objects.create(
                content_type=ContentType.objects.get_for_model(Customer),
                object_id=customer.pk,
                user=org.users[key],
            )
    api = token_client(zhang)
    url = f"{API}{customer.pk}/team/"
    # warm: the access snapshot, field rules, content types (a write bumps the organisation
    # version, so the answer after it rebuilds the snapshot: that is in the counts)
    assert api.get(f"{API}{customer.pk}/").status_code == 200
    assert len(api.get(url).json()) == 3
    with django_assert_num_queries(queries):
        if call == "list":
            response = api.get(url)
        elif call == "add":
            response = api.post(url, {"user": org.users["zhao"].pk, "access": "write"}, format="json")
        else:
            response = api.delete(f"{url}{org.users['li'].pk}/")
    assert response.status_code == 200, response.content
