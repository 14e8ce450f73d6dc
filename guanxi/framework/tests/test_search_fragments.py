"""Any two or more consecutive Chinese characters of a name find the record: in the global search,
a list's ``?q=`` and a picker, on SQLite and PostgreSQL (the fragment GIN index of core migration
0015 there), with field rules still applied; and a list's search for one company reads its few ids
first (``matching_ids``)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from guanxi.core.models import SearchEntry, Tag
from guanxi.customers.models import Customer
from guanxi.framework import search as search_module
from guanxi.framework.search import bigrams, matching_ids, search
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule

pytestmark = pytest.mark.django_db

NAME = "北京华信网络科技有限公司"
PICK = reverse("pick", args=["customers.customer"])


@pytest.fixture
def companies():
    with as_system():
        wanted = Customer.objects.create(name=NAME)
        Customer.objects.create(name="上海星河贸易有限公司")
        Customer.objects.create(name="华信咨询")  # starts with 华信: ranked before the fragment hit
    return wanted


def list_ids(client, query: str) -> list[str]:
    page = client.get("/customers/", {"q": query}).content.decode()
    return re.findall(r'name="pk" value="(\d+)"', page)


@pytest.mark.parametrize("fragment", ["华信", "网络", "科技有限", "信网络科", "有限公司"])
def test_a_fragment_in_the_middle_finds_the_company_everywhere(admin_client, admin_user, companies, fragment):
    found = [hit.object for hit in search(admin_user, fragment)]
    assert companies in found
    assert str(companies.pk) in list_ids(admin_client, fragment)
    page = admin_client.get("/search/", {"q": fragment}).content.decode()
    assert NAME in page
    picked = json.loads(admin_client.get(PICK, {"q": fragment}).content)["results"]
    assert str(companies.pk) in [str(row["id"]) for row in picked]


def test_a_name_starting_with_the_query_ranks_before_a_fragment_hit(admin_user, companies):
    assert [str(hit.object) for hit in search(admin_user, "华信")] == ["华信咨询", NAME]


def test_fragments_not_in_the_name_find_nothing(admin_client, admin_user, companies):
    for query in ("信科", "京网", "华", "限公司北"):
        assert [hit.object for hit in search(admin_user, query) if hit.object == companies] == []
        assert str(companies.pk) not in list_ids(admin_client, query)


def test_two_characters_look_inside_name_like_fields_only_three_inside_any(make_user):
    """A light field (a tag's description weighs 20) is searched inside from 3 characters, as
    before; 2 Chinese characters look inside the fields a record is known by (weight 80+)."""
    viewer = make_user("viewer", perms=["core.view_tag"])
    with as_system():
        Tag.objects.create(name="重点", slug="t1", description="年采购额超过百万")
    assert [str(h.object) for h in search(viewer, "采购额")] == ["重点"]
    assert search(viewer, "采购") == []


def test_a_hidden_name_like_field_finds_nothing_through_its_fragments(client, admin_user, make_user):
    user = make_user("agent")
    role = give_role(user, Customer, "all", ["view"], name="客服-片段")
    with as_system():
        FieldRule.objects.create(
            role=role, content_type=ContentType.objects.get_for_model(Customer), field_name="short_name",
            access="hidden",
        )  # fmt: skip
        customer = Customer.objects.create(name="甲乙丙公司", short_name="华信网络")
    user = type(user).objects.get(pk=user.pk)
    assert [h.object for h in search(admin_user, "信网")] == [customer]
    assert search(user, "信网") == []
    client.force_login(user)
    assert list_ids(client, "信网") == []
    assert json.loads(client.get(PICK, {"q": "信网"}).content)["results"] == []
    assert list_ids(client, "乙丙") == [str(customer.pk)]  # the name itself is readable


def test_a_few_matches_come_back_as_ids_many_as_a_subquery(admin_user, companies, monkeypatch):
    assert matching_ids(Customer, "华信", admin_user) == sorted(
        Customer.objects.filter(name__contains="华信").values_list("pk", flat=True)
    )
    monkeypatch.setattr(search_module, "FEW_KEYS", 1)
    many = matching_ids(Customer, "有限公司", admin_user)
    assert not isinstance(many, list)
    assert sorted(many.values_list("object_id", flat=True)) == sorted(
        Customer.objects.filter(name__contains="有限公司").values_list("pk", flat=True)
    )


def test_one_company_by_name_or_pinyin_costs_one_key_query_then_its_rows(admin_client, companies):
    from django.test.utils import CaptureQueriesContext

    admin_client.get("/customers/", {"q": "上海"})  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert list_ids(admin_client, "beijinghuaxin") == [str(companies.pk)]
    keys = [q["sql"] for q in queries.captured_queries if "core_searchentry" in q["sql"]]
    assert len(keys) == 1  # the ids are read once; the page and its count filter by the literal list
    pages = [q["sql"] for q in queries.captured_queries if 'FROM "customers_customer"' in q["sql"]]
    assert pages and all("core_searchentry" not in sql for sql in pages)


def test_the_fragment_pieces_match_the_database_function():
    """``bigrams`` is what core migration 0015's ``guanxi_bigrams`` computes; on PostgreSQL a
    two-character query is answered through the fragment index, not a read of every key."""
    assert bigrams("北京华信") == ["京华", "北京", "华信"]
    assert bigrams("ab科技c") == ["ab", "b科", "技c", "科技"]
    assert bigrams("华") == []
    query = SearchEntry.objects.filter(search_module._fragment("华信")).values("object_id")
    sql, params = query.query.sql_with_params()
    if connection.vendor != "postgresql":  # SQLite: a LIKE over the keys of name-like fields
        assert "guanxi_bigrams" not in sql and "LIKE" in sql
        return
    with connection.cursor() as cursor:
        for text in ("北京华信网络科技有限公司", "ab科技c", "zhang", "华"):
            cursor.execute("SELECT guanxi_bigrams(%s)", [text])
            assert sorted(set(cursor.fetchone()[0])) == bigrams(text)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "searchentry_value_bigram" in plan, plan
