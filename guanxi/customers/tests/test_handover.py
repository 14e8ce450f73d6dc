"""A customer changes hands with its work: contacts and open tasks follow a claim, an assignment
from the pool, a transfer and an owner change on the form; a refused move changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.activities.choices import TaskStatus
from guanxi.activities.models import Task
from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.customers.pools.services.pools import assign_from_pool, claim_customer
from guanxi.customers.pools.tests import pool_fixtures
from guanxi.customers.pools.tests.pool_fixtures import NOW, fresh
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.transfer import transfer_records
from guanxi.framework.write import save_object

pytestmark = pytest.mark.django_db
org = pool_fixtures.org  # the fixture


def pooled_with_work(org, previous="li"):
    """A customer returned to the east pool by ``previous``, with two contacts, one of which also
    works with 王五's customer, and tasks of ``previous`` (open and done) and of 王五."""
    customer = org.customer("杭州云帆贸易有限公司", pool=org.east)
    other = org.customer("宁波海运物流有限公司", owner="wang", owned_days=10)
    prev, wang = org.users[previous], org.users["wang"]
    with as_system():
        Customer.objects.filter(pk=customer.pk).update(previous_owner=prev)
        mine = Contact.objects.create(name="陈静", phone="+8613800001111", owner=prev)
        shared = Contact.objects.create(name="刘洋", owner=wang)
        CustomerContact.objects.create(customer=customer, contact=mine, is_primary=True)
        CustomerContact.objects.create(customer=customer, contact=shared)
        CustomerContact.objects.create(customer=other, contact=shared)
        open_task = Task.objects.create(title="发送报价单 · 杭州云帆", customer=customer, owner=prev)
        done = Task.objects.create(title="首次拜访", customer=customer, owner=prev, status=TaskStatus.DONE)
        wangs = Task.objects.create(title="回访", customer=customer, owner=wang)
    customer.refresh_from_db()
    return customer, mine, shared, open_task, done, wangs


def owners(*rows):
    return [type(r).objects.get(pk=r.pk).owner_id for r in rows]


def test_claim_brings_the_contacts_and_reassigns_the_open_tasks(org):
    customer, mine, shared, open_task, done, wangs = pooled_with_work(org)
    zhang = fresh(org.users["zhang"])
    with as_user(zhang), translation.override("en"):
        claim_customer(Customer.objects.get(pk=customer.pk), actor=zhang, now=NOW)

    li, wang = org.users["li"].pk, org.users["wang"].pk
    assert owners(mine, shared) == [zhang.pk, wang]  # 刘洋 still works with 王五's customer
    assert owners(open_task, done, wangs) == [zhang.pk, li, wang]
    assert Contact.objects.get(pk=mine.pk).department == org.departments["east1"]
    change = ObjectChange.objects.get(
        changed_object_type__model="contact", changed_object_id=mine.pk, action="update"
    )
    assert (change.prechange_data, change.postchange_data) == (
        {"owner": li},
        {"owner": zhang.pk},
    )
    assert change.message == "Follows its customer to the new owner: claimed from 华东公海"
    # the new owner sees the contact through restrict() (the contacts card reads it that way)
    assert list(Contact.objects.restrict(fresh(zhang), "view").values_list("name", flat=True)) == ["陈静"]


def test_a_refused_claim_moves_nothing(org):
    customer, mine, shared, open_task, done, wangs = pooled_with_work(org, previous="zhang")
    zhang = fresh(org.users["zhang"])
    before = (owners(mine, shared), owners(open_task, done, wangs))
    with pytest.raises(ValidationError), as_user(zhang), translation.override("en"):
        claim_customer(Customer.objects.get(pk=customer.pk), actor=zhang, now=NOW)  # cool-off
    assert (owners(mine, shared), owners(open_task, done, wangs)) == before
    assert (
        not ObjectChange.objects.filter(changed_object_type__model__in=["contact", "task"])
        .exclude(action="create")
        .exists()
    )


def test_assign_from_pool_brings_the_contacts_and_tasks(org):
    customer, mine, shared, open_task, done, wangs = pooled_with_work(org)
    manager = fresh(org.users["manager"])
    with as_user(manager), translation.override("en"):
        assert assign_from_pool([customer], actor=manager, to_user=org.users["zhang"], now=NOW) == 1
    zhang = org.users["zhang"].pk
    assert owners(mine, shared) == [zhang, org.users["wang"].pk]
    assert owners(open_task, done, wangs) == [zhang, org.users["li"].pk, org.users["wang"].pk]


def test_transfer_brings_the_contacts_and_tasks(org):
    customer, mine, shared, open_task, done, wangs = pooled_with_work(org)
    with as_system():
        Customer.objects.filter(pk=customer.pk).update(
            owner=org.users["li"], pool=None, department=org.departments["east1"]
        )
    manager = fresh(org.users["manager"])
    with as_user(manager), translation.override("en"):
        transfer_records(
            actor=manager,
            to_user=org.users["zhang"],
            reason="离职交接",
            records=[Customer.objects.get(pk=customer.pk)],
        )
    zhang = org.users["zhang"].pk
    assert owners(customer, mine, shared) == [zhang, zhang, org.users["wang"].pk]
    assert owners(open_task, done, wangs) == [zhang, org.users["li"].pk, org.users["wang"].pk]


def test_owner_changed_on_the_form_brings_the_contacts_and_tasks(org):
    customer, mine, shared, open_task, done, wangs = pooled_with_work(org)
    with as_system():
        Customer.objects.filter(pk=customer.pk).update(
            owner=org.users["li"], pool=None, department=org.departments["east1"]
        )
    manager = fresh(org.users["manager"])
    row = Customer.objects.get(pk=customer.pk)
    row.owner = org.users["zhang"]
    with as_user(manager):
        save_object(row, actor=manager, validate=True)
    zhang = org.users["zhang"].pk
    assert owners(mine, shared) == [zhang, org.users["wang"].pk]
    assert owners(open_task, done, wangs) == [zhang, org.users["li"].pk, org.users["wang"].pk]
