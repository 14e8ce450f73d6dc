"""The "My day" home page: today's tasks, follow-ups due, overdue, birthdays (year end, 29 Feb),
each with its count, rows, link and empty state; the query count is pinned."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.activities.myday import birthday_days, upcoming_birthdays
from guanxi.customers.models import Contact, Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import perm

from .helpers import follow_up_on
from .test_services import REP_PERMS

pytestmark = pytest.mark.django_db

HOME_QUERIES = 24


@pytest.fixture
def rep(make_user):
    return make_user("rep", perms=REP_PERMS, name="王芳", language="en")


def at_today(hour, days=0):
    local = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return local + datetime.timedelta(days=days)


def make_task(owner, title, due, **kwargs):
    with as_system():
        return Task.objects.create(title=title, owner=owner, due_at=due, **kwargs)


def test_cards_sort_the_users_tasks(client, rep, make_user):
    someone = make_user("someone")
    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", owner=rep)
    follow_up = follow_up_on(customer, owner=rep)
    make_task(rep, "今天下午寄样品", at_today(15))
    make_task(rep, "回访杭州云帆", at_today(10), follow_up=follow_up, customer=customer)
    make_task(rep, "上周的报价", at_today(9, days=-3))
    make_task(rep, "已完成的", at_today(9, days=-1), status="done")
    make_task(rep, "明天的会议", at_today(9, days=1))
    make_task(someone, "别人的待办", at_today(11))
    client.force_login(rep)
    page = client.get("/").content.decode()

    def card(card_id):
        start = page.index(f'id="{card_id}"')
        return page[start : page.index("</section>", start)]

    assert "今天下午寄样品" in card("home-today") and "回访杭州云帆" not in card("home-today")
    assert "回访杭州云帆" in card("home-followups") and "杭州云帆贸易有限公司" in card("home-followups")
    assert "上周的报价" in card("home-overdue")
    for hidden in ("已完成的", "明天的会议", "别人的待办"):
        assert hidden not in page
    assert "/tasks/?mine=true&amp;status=open&amp;overdue=true" in card("home-overdue")
    assert "No birthdays this week" in card("home-birthdays")


def test_cards_show_at_most_eight_rows_and_the_full_count(client, rep):
    for i in range(11):
        make_task(rep, f"逾期{i:02d}", at_today(9, days=-1 - i))
    client.force_login(rep)
    page = client.get("/").content.decode()
    start = page.index('id="home-overdue"')
    overdue = page[start : page.index("</section>", start)]
    assert overdue.count('class="task-row') == 8
    assert '<span class="badge badge-red home-count">11</span>' in overdue


def test_empty_states(client, rep):
    client.force_login(rep)
    page = client.get("/").content.decode()
    for text in (
        "Nothing due today",
        "No follow-ups planned today",
        "Nothing overdue",
        "No birthdays this week",
    ):
        assert text in page


def test_home_query_count_does_not_grow(client, rep, django_assert_max_num_queries):
    def fill(start):
        with as_system():
            for i in range(start, start + 12):
                make_task(rep, f"今天{i}", at_today(12))
                make_task(rep, f"逾期{i}", at_today(12, days=-2))
                Contact.objects.create(name=f"联系人{i}", birthday=datetime.date(1990, *_in_days(i % 5)))

    fill(0)
    client.force_login(rep)
    client.get("/")
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200
    fill(100)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200


def _in_days(days):
    date = timezone.localdate() + datetime.timedelta(days=days)
    if (date.month, date.day) == (2, 29):
        date += datetime.timedelta(days=1)
    return date.month, date.day


def test_birthday_days_cross_the_year_end():
    days = birthday_days(datetime.date(2026, 12, 29))
    assert [(m, d) for _date, m, d in days] == [(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3), (1, 4)]
    assert days[3][0] == datetime.date(2027, 1, 1)


def test_29_february_birthdays_are_celebrated_on_the_28th_in_common_years():
    common = [(m, d) for _date, m, d in birthday_days(datetime.date(2027, 2, 25))]
    assert (2, 28) in common and (2, 29) in common and (3, 1) in common
    leap = [(m, d) for _date, m, d in birthday_days(datetime.date(2028, 2, 25))]
    assert leap.count((2, 29)) == 1 and leap.index((2, 29)) == leap.index((2, 28)) + 1


def test_upcoming_birthdays_respect_scope_kind_and_order(make_user):
    from guanxi.framework.testing.scopes import give_role

    rep = make_user("rep1", language="en")
    other = make_user("rep2")
    give_role(rep, Customer, "own", ["view"])
    give_role(rep, Contact, "own", ["view"], name="contacts")
    with as_system():
        Customer.objects.create(
            name="张小姐", kind="individual", birthday=datetime.date(1990, 1, 2), owner=rep
        )
        Customer.objects.create(
            name="李先生", kind="individual", birthday=datetime.date(1985, 12, 30), owner=rep
        )
        Customer.objects.create(
            name="王女士", kind="individual", birthday=datetime.date(1980, 12, 31), owner=other
        )
        Customer.objects.create(
            name="年初生日", kind="individual", birthday=datetime.date(1980, 1, 10), owner=rep
        )
        Contact.objects.create(name="赵敏", birthday=datetime.date(2000, 2, 29), owner=rep)
        Contact.objects.create(name="孙丽", birthday=datetime.date(1992, 12, 29), owner=rep)
    found, count = upcoming_birthdays(rep, datetime.date(2026, 12, 29))
    assert [(b.person.name, b.date, b.kind, b.age) for b in found] == [
        ("孙丽", datetime.date(2026, 12, 29), "contact", 34),
        ("李先生", datetime.date(2026, 12, 30), "customer", 41),
        ("张小姐", datetime.date(2027, 1, 2), "customer", 37),
    ]
    assert count == 3
    feb, _count = upcoming_birthdays(rep, datetime.date(2027, 2, 26))
    assert [(b.person.name, b.date) for b in feb] == [("赵敏", datetime.date(2027, 2, 28))]


def test_birthday_card_on_the_home_page(client, make_user):
    user = make_user("viewer", perms=[perm(Customer, "view"), perm(Contact, "view")], language="en")
    today = timezone.localdate()
    month, day = _in_days(0)
    with as_system():
        Contact.objects.create(name="周杰", birthday=datetime.date(1988, month, day))
    client.force_login(user)
    page = client.get("/").content.decode()
    start = page.index('id="home-birthdays"')
    card = page[start : page.index("</section>", start)]
    assert "周杰" in card and "Contact" in card
    if (month, day) == (today.month, today.day):
        assert "Today" in card
    assert 'id="home-today"' not in page  # no role for tasks: the task cards are left out


def test_each_card_counts_the_rows_its_list_shows(client, rep):
    """The class of "已逾期 says 29, its list shows 31": a task due earlier today is late now."""
    import re
    from html import unescape

    now = timezone.localtime()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    earlier_today = max(start, now - datetime.timedelta(minutes=1))
    with as_system():
        customer = Customer.objects.create(name="杭州云帆贸易有限公司", owner=rep)
    follow_up = follow_up_on(customer, owner=rep)
    make_task(rep, "上周的报价", at_today(9, days=-3))
    make_task(rep, "今天早些时候", earlier_today)
    make_task(rep, "今天晚些时候", start + datetime.timedelta(hours=23, minutes=59))
    make_task(rep, "回访", start + datetime.timedelta(hours=23, minutes=58), follow_up=follow_up)
    client.force_login(rep)
    page = client.get("/").content.decode()
    for card_id, expected in (("home-today", 2), ("home-followups", 1), ("home-overdue", 2)):
        section = page[
            page.index(f'id="{card_id}"') : page.index("</section>", page.index(f'id="{card_id}"'))
        ]
        assert f'home-count">{expected}</span>' in section
        url = unescape(re.search(r'href="(/tasks/\?[^"]+)"', section).group(1))
        listed = client.get(url).content.decode()
        assert listed.count('type="checkbox" name="pk"') == expected, card_id
