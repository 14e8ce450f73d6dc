"""Customers and contacts are found by name, pinyin, initials, phone suffix, email and credit code —
through the global search and through the lists' ``q`` (the same search keys)."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Contact, Customer
from guanxi.framework.search import index_many, search
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
CODE = "91310000MA1FL8XQ37"


@pytest.fixture
def rows(team):
    with as_system():
        customer = Customer.objects.create(
            name="张三贸易有限公司", phone="+8613912348000", email="sales@zhangsan.example.cn",
            credit_code=CODE, owner=team.rep1,
        )  # fmt: skip
        contact = Contact.objects.create(
            name="李四", phone="+8613700004321", email="lisi@example.cn", owner=team.rep1
        )
    return customer, contact


CUSTOMER_QUERIES = ["张三贸易", "zhangsanmaoyi", "zsmy", "8000", "sales@zhangsan", CODE]
CONTACT_QUERIES = ["李四", "lisi", "ls", "4321", "lisi@example"]


@pytest.mark.parametrize("query", CUSTOMER_QUERIES)
def test_customer_found_globally_and_in_the_list(client, team, rows, query):
    customer, _contact = rows
    assert customer in [hit.object for hit in search(team.rep1, query)]
    client.force_login(team.rep1)
    assert "张三贸易有限公司" in client.get("/customers/", {"q": query}).content.decode()
    assert "张三贸易有限公司" in client.get("/search/", {"q": query}).content.decode()


@pytest.mark.parametrize("query", CONTACT_QUERIES)
def test_contact_found_globally_and_in_the_list(client, team, rows, query):
    _customer, contact = rows
    assert contact in [hit.object for hit in search(team.rep1, query)]
    client.force_login(team.rep1)
    assert "李四" in client.get("/contacts/", {"q": query}).content.decode()


def test_list_q_stays_inside_the_scope(client, team, rows):
    client.force_login(team.rep2)
    assert "张三贸易有限公司" not in client.get("/customers/", {"q": "zsmy"}).content.decode()


def test_list_q_without_a_match_shows_nothing(client, team, rows):
    client.force_login(team.rep1)
    assert "张三贸易有限公司" not in client.get("/customers/", {"q": "wwxyz"}).content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("贸易", True),  # two Chinese characters inside the name
        ("有限公司", True),
        ("张", True),  # one character: names starting with it
        ("贸", False),  # one character inside a name: no (as the global search)
        ("zs", True),  # initials, from the start
        ("sm", False),  # two Latin letters inside a key: no (a scan of every key for "zs" in "lzs")
        ("angsanm", True),  # three or more: inside keys too
    ],
)
def test_list_q_matches_as_the_global_search_does(client, team, rows, query, found):
    """The list's search box uses the search keys' prefix and trigram tiers, never ICONTAINS on
    the indexed columns (a read of the whole table at a million customers)."""
    client.force_login(team.rep1)
    assert ("张三贸易有限公司" in client.get("/customers/", {"q": query}).content.decode()) is found


def test_only_short_indexed_columns_skip_icontains():
    from guanxi.activities.models import FollowUp
    from guanxi.framework.search import indexed_fields

    assert indexed_fields(Customer) == {"name", "short_name", "phone", "email", "credit_code"}
    assert indexed_fields(FollowUp) == {"place"}  # content and next step are long text: ICONTAINS
    assert indexed_fields(type(None)) is None


def test_index_many_writes_keys_for_bulk_created_rows(team):
    with as_system():
        [row] = Customer.objects.bulk_create([Customer(name="王五科技", owner=team.rep1)])
    assert search(team.rep1, "wwkj") == []
    with as_system():
        assert index_many([row]) >= 3  # text, pinyin, initials
    assert [hit.object for hit in search(team.rep1, "wwkj")] == [row]


def test_contact_found_by_its_second_phone(team):
    with as_system():
        contact = Contact(name="周六", phone="+8613700001111", mobile="021 6888 9999", owner=team.rep1)
        contact.full_clean()
        contact.save()
    assert contact.mobile == "+862168889999"
    assert [hit.object for hit in search(team.rep1, "9999")] == [contact]
