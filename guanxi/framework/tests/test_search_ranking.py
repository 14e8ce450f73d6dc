"""Search at scale: prefix ranges in key order, substring fallback, bounded candidate rounds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import Tag
from guanxi.customers.models import Customer
from guanxi.framework import search as search_module
from guanxi.framework.search import search
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import User

pytestmark = pytest.mark.django_db


def names(user, query, **kwargs):
    return [str(hit.object) for hit in search(user, query, **kwargs)]


@pytest.fixture
def viewer(make_user):
    return make_user("viewer", perms=["core.view_tag"])


def test_exact_key_then_longer_prefix_then_substring(viewer):
    with as_system():
        for i, name in enumerate(["一张三", "张三丰", "张三"]):
            Tag.objects.create(name=name, slug=f"t{i}")
    assert names(viewer, "zhangsan") == ["张三", "张三丰", "一张三"]
    assert names(viewer, "张三") == ["张三", "张三丰", "一张三"]
    assert names(viewer, "zsf") == ["张三丰"]


def test_two_latin_letters_match_prefixes_only(viewer):
    """ "zs" inside "yzs" (一张三's initials) is not looked for: no index serves a 2-letter
    substring, and initials are typed from the start."""
    with as_system():
        for i, name in enumerate(["一张三", "张三"]):
            Tag.objects.create(name=name, slug=f"t{i}")
    assert names(viewer, "zs") == ["张三"]
    assert names(viewer, "张") == ["张三"]  # one Chinese character: prefix keys only
    assert names(viewer, "三") == []
    assert names(viewer, "yzs") == ["一张三"]


def test_heavier_field_first_among_equal_keys(viewer):
    with as_system():
        Tag.objects.create(name="Alpha", slug="a1", description="beta")
        Tag.objects.create(name="Beta", slug="b1")
    hits = search(viewer, "beta")
    assert [(str(h.object), h.field) for h in hits] == [("Beta", "name"), ("Alpha", "description")]


def test_substring_only_fills_what_prefixes_leave(viewer):
    with as_system():
        Tag.objects.create(name="vip客户", slug="v1")
        Tag.objects.create(name="超级vip", slug="v2")
    assert names(viewer, "vip", limit=1) == ["vip客户"]
    assert names(viewer, "vip", limit=2) == ["vip客户", "超级vip"]


def test_phone_digits_typed_with_separators_find_the_number(admin_user):
    with as_system():
        Customer.objects.create(name="星河科技", phone="+8613800138000")
    assert names(admin_user, "138-0013") == ["星河科技"]
    assert names(admin_user, "8000") == ["星河科技"]


def test_narrow_reader_finds_own_row_behind_many_invisible_candidates(monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATES_PER_HIT", 2)  # 8 candidate keys per round
    with as_system():
        rep = User.objects.create_user(username="rep")
        other = User.objects.create_user(username="other")
        Customer.objects.bulk_create([Customer(name=f"星河{i:02d}", owner=other) for i in range(20)])
        search_module.reindex(Customer)
        Customer.objects.create(name="星河科技", owner=rep)  # keys sort after 星河00…星河19
    give_role(rep, Customer, "own", ["view"], name="rep-own")
    rep = User.objects.get(pk=rep.pk)
    assert names(rep, "星河", limit=4) == ["星河科技"]


def test_rounds_are_bounded_for_a_reader_who_sees_nothing(monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATES_PER_HIT", 1)
    with as_system():
        rep = User.objects.create_user(username="rep")
        Customer.objects.bulk_create([Customer(name=f"星河{i:02d}") for i in range(40)])
        search_module.reindex(Customer)
    give_role(rep, Customer, "own", ["view"], name="rep-own")
    rep = User.objects.get(pk=rep.pk)
    with CaptureQueriesContext(connection) as queries:
        assert names(rep, "星河", limit=2, models_=[Customer]) == []
    keys = [q for q in queries.captured_queries if "core_searchentry" in q["sql"]]
    # prefix tier: MAX_ROUNDS full batches; fragment tier: MAX_ROUNDS more, never a scan of all
    assert len(keys) == 2 * search_module.MAX_ROUNDS


def test_query_count_does_not_grow_with_the_hits(viewer, django_assert_max_num_queries):
    with as_system():
        Tag.objects.bulk_create([Tag(name=f"Bulk {i:03d}", slug=f"bulk-{i}") for i in range(120)])
        search_module.reindex(Tag)
    with django_assert_max_num_queries(8):
        assert len(search(viewer, "bulk", limit=50)) == 50


def test_substring_rounds_resume_instead_of_rescanning(monkeypatch):
    """A narrow reader's substring rounds each read new keys: on SQLite (no trigram index) the
    next round starts after the last entry read, not at an OFFSET that scans the skipped keys."""
    monkeypatch.setattr(search_module, "CANDIDATES_PER_HIT", 2)  # 4 candidate keys per round
    with as_system():
        rep = User.objects.create_user(username="rep")
        other = User.objects.create_user(username="other")
        Customer.objects.bulk_create([Customer(name=f"东星河{i:02d}", owner=other) for i in range(6)])
        search_module.reindex(Customer)
        Customer.objects.create(name="南星河科技", owner=rep)  # its keys are written last
    give_role(rep, Customer, "own", ["view"], name="rep-own")
    rep = User.objects.get(pk=rep.pk)
    with CaptureQueriesContext(connection) as queries:
        assert names(rep, "星河", limit=2) == ["南星河科技"]  # a substring: no key starts with 星河
    substring = [
        q["sql"] for q in queries.captured_queries if "core_searchentry" in q["sql"] and "LIKE" in q["sql"]
    ]
    assert len(substring) > 1  # it took more than one round
    if connection.vendor == "sqlite":
        assert not any("OFFSET" in sql for sql in substring)
