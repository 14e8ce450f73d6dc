"""The capped pager: exact counts up to the cap, "N+" beyond it, and paging past the counted rows."""

from __future__ import annotations

import re

import pytest
from django.core.paginator import EmptyPage

from guanxi.core.models import Tag
from guanxi.framework.paginators import CappedPaginator
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def tags(n: int) -> None:
    with as_system():
        Tag.objects.bulk_create([Tag(name=f"标签{i:02d}", slug=f"t-{i:02d}") for i in range(n)])


def test_below_the_cap_the_count_is_exact(small_cap):
    tags(4)
    pager = CappedPaginator(Tag.objects.order_by("name"), 2)
    assert (pager.count, pager.capped, pager.count_label, pager.num_pages) == (4, False, "4", 2)
    assert [t.name for t in pager.page(2)] == ["标签02", "标签03"]
    assert not pager.page(2).has_next()


def test_at_the_cap_the_count_is_still_exact(small_cap):
    tags(5)
    pager = CappedPaginator(Tag.objects.order_by("name"), 2)
    assert (pager.count, pager.capped, pager.count_label) == (5, False, "5")


def test_above_the_cap_the_count_stops_and_says_so(small_cap, django_assert_num_queries):
    tags(12)
    pager = CappedPaginator(Tag.objects.order_by("name"), 2)
    with django_assert_num_queries(1):  # one bounded COUNT over LIMIT cap + 1
        assert pager.count == 6
    assert (pager.capped, pager.count_label, pager.num_pages) == (True, "5+", 3)


def test_pages_past_the_counted_rows_are_served_while_rows_exist(small_cap):
    tags(12)
    pager = CappedPaginator(Tag.objects.order_by("name"), 2)
    page3 = pager.page(3)
    assert page3.has_next()  # row 7 exists although only 6 were counted
    page6 = pager.page(6)
    assert [t.name for t in page6] == ["标签10", "标签11"]
    assert not page6.has_next()
    with pytest.raises(EmptyPage):
        pager.page(7)


def test_a_plain_list_counts_as_django_does(small_cap):
    pager = CappedPaginator(list(range(9)), 2)
    assert (pager.count, pager.capped, pager.count_label) == (9, True, "5+")


@pytest.mark.parametrize(
    ("language", "count", "page2"), [("en", "5+ records", "Page 2"), ("zh-hans", "5+ 条记录", "第 2 页")]
)
def test_list_page_shows_the_capped_count_in_both_languages(
    small_cap, admin_client, language, count, page2, django_assert_max_num_queries
):
    tags(60)
    with django_assert_max_num_queries(20):
        response = admin_client.get("/tags/", {"page": 2, "per_page": 25}, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert count in body
    assert page2 in body and "共" not in body.split(page2)[1][:10]
    assert "page=3" in body  # rows 51-60 exist past the counted ones
    last = admin_client.get(
        "/tags/", {"page": 3, "per_page": 25}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert len(re.findall(r'name="pk" value="\d+"', last)) == 10
    assert "page=4" not in last


def test_list_page_below_the_cap_keeps_the_exact_count(admin_client, small_cap):
    tags(3)
    body = admin_client.get("/tags/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"\b3 records\b", body)
    assert "+ records" not in body
