"""The team home of managers and directors: who lands on it (from the access layer), its numbers
scoped by restrict(), each number agreeing with the list it links to, the charts' Excel export and
the page's pinned query count per persona."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from guanxi.activities.models import Task
from guanxi.activities.tests.helpers import follow_up_on
from guanxi.customers.models import Lead, PoolRule
from guanxi.customers.pools.tests.pool_fixtures import PASSWORD, build_org
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import Role, User

pytestmark = pytest.mark.django_db

# + 2 since the receivables' numbers (overdue installments, payments due this week: one count each)
MANAGER_QUERIES = 16
DIRECTOR_QUERIES = 16


@pytest.fixture
def org(db):
    """East 1 (张三, 李四, their manager) and East 2 (王五) under 销售中心 (a director); 华北 (赵六)."""
    org = build_org(timezone.now())
    with as_system():
        director = User.objects.create_user(
            username="director",
            password=PASSWORD,
            name="销售总监",
            department=org.departments["sales"],
            language="en",
        )
        Role.objects.get(name="销售总监").users.add(director)
        org.users["director"] = director
    return org


def seed(org):
    """Work of each rep: overdue tasks, follow-ups due today, follow-ups, customers, leads."""
    now = timezone.now()
    users = org.users
    with as_system():
        for key, overdue in (("zhang", 3), ("li", 1), ("wang", 2), ("zhao", 4)):
            user = users[key]
            for i in range(overdue):
                Task.objects.create(title=f"逾期{key}{i}", owner=user, due_at=now - dt.timedelta(days=i + 1))
            Task.objects.create(title=f"明天{key}", owner=user, due_at=now + dt.timedelta(days=1))
            Task.objects.create(
                title=f"完成{key}", owner=user, due_at=now - dt.timedelta(days=2), status="done"
            )
        for key, level in (
            ("zhang", "A"),
            ("zhang", "A"),
            ("zhang", "B"),
            ("li", "C"),
            ("wang", "A"),
            ("zhao", "A"),
        ):
            customer = org.customer(f"{key}的{level}级客户", owner=key, level=level, owned_days=1)
            follow_up_on(customer, owner=users[key], occurred_at=now - dt.timedelta(minutes=5))
        Lead.objects.create(name="新线索一", owner=users["zhang"])
        Lead.objects.create(name="新线索二", owner=users["wang"])
        Lead.objects.create(name="已联系", owner=users["zhang"], status="contacted")
        Lead.objects.create(name="华北线索", owner=users["zhao"])
        PoolRule.objects.create(
            pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5
        )
    org.customer("快到期", owner="li", level="A", owned_days=60, contacted_days=27)
    org.customer("要退回", owner="wang", level="A", owned_days=60, contacted_days=40)
    org.customer("华北到期", owner="zhao", level="A", owned_days=60, contacted_days=40)


def login(client, user):
    client.force_login(user)


def numbers(page):
    """{widget key: (count, url)} of the team numbers on the page."""
    found = {}
    for key, url, count in re.findall(
        r'id="team-(\w+)" href="([^"]+)">.*?team-count">(\d+)<', page, flags=re.S
    ):
        found[key] = (int(count), unescape(url))
    return found


# The receivables' numbers (guanxi/receivables/cards.py): no contracts in this organisation.
NO_RECEIVABLES = {"team_overdue_installments": 0, "team_due_this_week": 0}


def rows_listed(client, url):
    page = client.get(url).content.decode()
    if "/pools/dry-run/" in url:
        return page.count('<tr class="plan-')
    return page.count('type="checkbox" name="pk"')


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # 一部经理 sees East 1: 张三 and 李四 (and their own rows).
        (
            "manager",
            {
                "team_overdue": 4,
                "team_follow_ups_due": 0,
                "team_returning": 1,
                "team_new_leads": 1,
                **NO_RECEIVABLES,
            },
        ),
        # 销售总监 sees 销售中心: East 1 and East 2, not 华北.
        (
            "director",
            {
                "team_overdue": 6,
                "team_follow_ups_due": 0,
                "team_returning": 2,
                "team_new_leads": 2,
                **NO_RECEIVABLES,
            },
        ),
    ],
)
def test_team_numbers_are_scoped_and_agree_with_their_lists(client, org, persona, expected):
    seed(org)
    login(client, org.users[persona])
    page = client.get("/").content.decode()
    assert 'id="team-home"' in page and "My day" in page
    found = numbers(page)
    assert {key: count for key, (count, _url) in found.items()} == expected
    for key, (count, url) in found.items():
        assert rows_listed(client, url) == count, key


def test_follow_ups_due_today_counts_follow_up_tasks_due_today(client, org):
    now = timezone.localtime()
    later_today = now.replace(hour=23, minute=59, second=0, microsecond=0)
    customer = org.customer("云帆", owner="zhang", owned_days=1)
    follow_up = follow_up_on(customer, owner=org.users["zhang"])
    with as_system():
        Task.objects.create(
            title="回访云帆", owner=org.users["zhang"], due_at=later_today, follow_up=follow_up
        )
        Task.objects.create(title="普通待办", owner=org.users["zhang"], due_at=later_today)
    login(client, org.users["manager"])
    count, url = numbers(client.get("/").content.decode())["team_follow_ups_due"]
    assert (count, rows_listed(client, url)) == (1, 1)
    assert "回访云帆" in client.get(url).content.decode()


def test_charts_per_rep_link_each_number_to_its_list(client, org):
    seed(org)
    login(client, org.users["manager"])
    page = client.get("/").content.decode()
    chart = page[page.index('id="team-team_customers_by_level"') :]
    chart = chart[: chart.index("</section>")]
    # 张三: A 2, B 1, C 0; 李四: A 1 (快到期), C 1 — the header lists only the levels in use
    assert re.findall(r"<th scope=\"col\">([^<]+)</th>", chart) == ["Rep", "A", "B", "C"]
    cells = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a>', chart)
    assert [int(n) for _url, n in cells] == [2, 1, 0, 1, 0, 1]
    for url, n in cells:
        assert rows_listed(client, unescape(url)) == int(n)
    follow = page[page.index('id="team-team_follow_ups_per_rep"') :]
    follow = follow[: follow.index("</section>")]
    assert "张三" in follow and "王五" not in follow and "赵六" not in follow
    for url, n in re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a>', follow):
        assert rows_listed(client, unescape(url)) == int(n)
    assert 'data-chart="chart-team_customers_by_level"' in page
    assert '<script id="chart-team_customers_by_level" type="application/json">' in page


def test_chart_export_is_the_charts_table(client, org):
    seed(org)
    login(client, org.users["manager"])
    response = client.get("/home/team/team_customers_by_level.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Rep", "A", "B", "C"],
        ["张三", 2, 1, 0],
        ["李四", 1, 0, 1],
    ]
    assert client.get("/home/team/nope.xlsx").status_code == 404


def test_a_rep_lands_on_my_day_and_cannot_export_team_charts(client, org):
    seed(org)
    login(client, org.users["zhang"])
    page = client.get("/").content.decode()
    assert 'id="team-home"' not in page and 'id="my-day"' in page and "home-tabs" not in page
    assert client.get("/home/team/team_customers_by_level.xlsx").status_code == 404


def test_my_day_stays_one_tab_away_for_a_manager(client, org):
    login(client, org.users["manager"])
    page = client.get("/?tab=myday").content.decode()
    assert 'id="my-day"' in page and 'href="/"' in page and "home-tabs" in page


@pytest.mark.parametrize(
    ("persona", "queries"), [("manager", MANAGER_QUERIES), ("director", DIRECTOR_QUERIES)]
)
def test_team_home_query_count_is_pinned(client, org, persona, queries, django_assert_num_queries):
    seed(org)
    login(client, org.users[persona])
    client.get("/")
    with django_assert_num_queries(queries):
        client.get("/")
    seed_more = [org.customer(f"更多{i}", owner="li", level="B", owned_days=1) for i in range(10)]
    assert seed_more
    with django_assert_num_queries(queries):
        client.get("/")


def test_scope_comes_from_the_access_layer_not_the_role_name(org):
    from guanxi.customers.pools.tests.pool_fixtures import fresh
    from guanxi.framework.dashboard import manages_team

    assert [manages_team(fresh(org.users[k])) for k in ("zhang", "manager", "director")] == [
        False,
        True,
        True,
    ]
    with as_system():
        org.users["li"].manager = org.users["zhang"]
        org.users["li"].save()
    assert manages_team(fresh(org.users["zhang"])) is True  # someone reports to 张三 now
