"""Visit check-in (签到): a visit stores the browser's location, validated on the server with field
messages in the user's language; other kinds store none; the follow-up list shows a manager the
team's visits of a day (through restrict()), with a pinned query count."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from guanxi.activities import services
from guanxi.activities.models import FollowUp
from guanxi.customers.models import Customer
from guanxi.customers.pools.tests.pool_fixtures import build_org
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.suites import perm

from .test_services import REP_PERMS

pytestmark = pytest.mark.django_db

SHANGHAI = {"latitude": "31.230416", "longitude": "121.473701", "location_accuracy": "18"}
# session, user, the filter panel's three "any options?" probes, the count, unread notifications,
# saved views, tags, owner and department options, the page of follow-ups (owner, department and
# customer joined), their tags: the same whatever the number of rows
VISITS_QUERIES = 9


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=[*REP_PERMS, perm(Customer, "change")], name="王芳", language="en")


@pytest.fixture
def customer(rep):
    with as_system():
        return Customer.objects.create(name="苏州恒远机械有限公司", owner=rep)


def log_url(customer):
    return f"/activities/log/{ContentType.objects.get_for_model(Customer).pk}/{customer.pk}/"


def test_a_visit_keeps_its_location_and_the_timeline_shows_it(client, rep, customer):
    client.force_login(rep)
    data = {"kind": "visit", "content": "上门拜访", "place": "苏州工业园区", **SHANGHAI}
    response = client.post(log_url(customer), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Trigger"] == "followup:logged"
    follow_up = FollowUp.objects.get()
    assert (follow_up.latitude, follow_up.longitude, follow_up.location_accuracy, follow_up.place) == (
        31.230416,
        121.473701,
        18,
        "苏州工业园区",
    )
    timeline = client.get(f"/customers/{customer.pk}/timeline/", headers={"HX-Request": "true"})
    html = timeline.content.decode()
    assert "Checked in at" in html and "31.23042, 121.47370" in html and "±18 m" in html
    assert "https://uri.amap.com/marker?position=121.473701,31.230416&amp;coordinate=wgs84" in html


def test_a_call_stores_no_location(rep, customer):
    with as_user(rep):
        follow_up = services.log_follow_up(
            actor=rep,
            target=customer,
            kind="call",
            content="电话",
            latitude=31.2,
            longitude=121.4,
            location_accuracy=5,
        )
    follow_up.refresh_from_db()
    assert (follow_up.latitude, follow_up.longitude, follow_up.location_accuracy) == (None, None, None)


@pytest.mark.parametrize(
    ("language", "data", "field", "message"),
    [
        (
            "en",
            {"latitude": "95", "longitude": "121.4"},
            "latitude",
            "The latitude must be between -90 and 90 degrees.",
        ),
        (
            "zh-hans",
            {"latitude": "31.2", "longitude": "-181"},
            "longitude",
            "经度必须在 -180 到 180 度之间。",
        ),
        ("en", {"latitude": "31.2"}, "longitude", "A location needs both latitude and longitude."),
        ("zh-hans", {"latitude": "abc", "longitude": "121.4"}, "latitude", "请输入数字。"),
        (
            "en",
            {"latitude": "31.2", "longitude": "121.4", "location_accuracy": "-3"},
            "location_accuracy",
            None,
        ),
    ],
)
def test_bad_coordinates_are_refused_at_the_field_and_nothing_is_saved(
    client, rep, customer, language, data, field, message
):
    with as_system():
        type(rep).objects.filter(pk=rep.pk).update(language=language)
    client.force_login(rep)
    response = client.post(log_url(customer), {"kind": "visit", "content": "上门拜访", **data})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    if message:
        assert message in html
    assert FollowUp.objects.count() == 0
    customer.refresh_from_db()
    assert customer.last_contacted_at is None


def test_the_api_refuses_coordinates_out_of_range(client, rep, customer):
    client.force_login(rep)
    body = {
        "kind": "visit",
        "content": "上门拜访",
        "target_type": "customers.customer",
        "target_id": customer.pk,
        "latitude": 31.2,
        "longitude": 200,
    }
    response = client.post("/api/v1/activities/follow-ups/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"longitude": ["The longitude must be between -180 and 180 degrees."]}
    assert FollowUp.objects.count() == 0


def test_a_manager_sees_the_teams_visits_of_a_day(client, django_assert_num_queries):
    org = build_org(timezone.now())
    today = timezone.localtime()
    yesterday = today - datetime.timedelta(days=1)
    customers = {
        key: org.customer(f"{key} 的客户", owner=key, owned_days=3) for key in ("zhang", "li", "wang")
    }

    def visit(key, when, kind="visit", lat=31.2):
        with as_system():
            return FollowUp.objects.create(
                target_type=ContentType.objects.get_for_model(Customer),
                target_id=customers[key].pk,
                customer=customers[key],
                owner=org.users[key],
                kind=kind,
                content=f"{key} {kind} {when:%d}",
                occurred_at=when,
                latitude=lat if kind == "visit" else None,
                longitude=121.4 if kind == "visit" else None,
            )

    shown = [visit("zhang", today), visit("li", today)]
    visit("wang", today)  # another department: not the manager's team
    visit("zhang", yesterday)  # another day
    visit("li", today, kind="call")  # not a visit
    client.force_login(org.users["manager"])
    url = f"/follow-ups/?kind=visit&day={today:%Y-%m-%d}"
    client.get(url)  # warm caches
    with django_assert_num_queries(VISITS_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<td class="cell-title">') == 2
    for follow_up in shown:
        assert f'href="/follow-ups/{follow_up.pk}/"' in html
    assert html.count('class="check-in-link') == 2
    # still the same number of queries with more rows
    for _ in range(5):
        visit("li", today)
    with django_assert_num_queries(VISITS_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('<td class="cell-title">') == 7
