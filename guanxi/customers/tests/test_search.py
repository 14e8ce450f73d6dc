"""Global search finds customers by pinyin initials and phone digits, only inside the user's scope."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Contact, Customer
from guanxi.framework.search import search
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import Department, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    with as_system():
        east1 = Department.objects.create(name="华东销售一部")
        east2 = Department.objects.create(name="华东销售二部")
        owner = User.objects.create_user(username="rep1", name="王芳", department=east1)
        other = User.objects.create_user(username="rep2", name="陈静", department=east2)
    for user in (owner, other):
        give_role(user, Customer, "own", ["view", "add", "change"], name=f"rep-{user.username}")
        give_role(user, Contact, "own", ["view"], name=f"rep-contact-{user.username}")
    with as_system():
        customer = Customer.objects.create(name="星河科技有限公司", phone="+8613987655678", owner=owner)
        Contact.objects.create(name="张三", phone="+8613800001234", owner=owner)
    return User.objects.get(pk=owner.pk), User.objects.get(pk=other.pk), customer


def names(user, query):
    return [str(hit.object) for hit in search(user, query)]


def test_owner_finds_customer_by_pinyin_initials(people):
    owner, _other, _customer = people
    assert names(owner, "xhkj") == ["星河科技有限公司"]


def test_owner_finds_customer_and_contact_by_phone_suffix(people):
    owner, _other, _customer = people
    assert names(owner, "5678") == ["星河科技有限公司"]
    assert names(owner, "1234") == ["张三"]


def test_rep_of_another_department_finds_nothing(people):
    _owner, other, _customer = people
    assert names(other, "xhkj") == []
    assert names(other, "5678") == []
    assert names(other, "1234") == []
