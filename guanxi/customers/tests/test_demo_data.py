"""The customers demo step: valid codes and phones, believable owners, contacts, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from guanxi.core.models import ObjectChange
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.customers.validators import validate_credit_code

pytestmark = pytest.mark.django_db


def test_demo_customers(monkeypatch):
    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 40)
    monkeypatch.setattr("guanxi.customers.pools.demo.POOLED_COUNT", 0)  # pooled rows: test_pool_demo.py
    call_command("demo", "--quiet")
    customers = list(Customer.objects.select_related("owner"))

    assert len(customers) == 40
    assert {c.owner.job_title for c in customers} <= {"销售代表", "销售经理"}
    assert len({c.name for c in customers}) == 40
    companies = [c for c in customers if c.kind == Customer.Kind.COMPANY]
    individuals = [c for c in customers if c.kind == Customer.Kind.INDIVIDUAL]
    assert companies and individuals
    for customer in companies:
        validate_credit_code(customer.credit_code)
    assert all(c.gender and c.birthday and not c.credit_code for c in individuals)
    assert all(c.phone.startswith("+861") and len(c.phone) == 14 for c in customers)
    assert all(c.department_id == c.owner.department_id for c in customers)
    for customer in customers:
        links = list(CustomerContact.objects.filter(customer=customer))
        assert 1 <= len(links) <= 3
        assert [link.is_primary for link in links].count(True) == 1
        assert all(link.contact.owner_id == customer.owner_id for link in links)
    assert Contact.objects.count() == CustomerContact.objects.count()
    assert ObjectChange.objects.filter(changed_object_type__model="customer", source="demo").count() == 40

    call_command("demo", "--quiet")  # idempotent
    assert Customer.objects.count() == 40


def test_demo_bulk_path_writes_change_log_and_search_keys(monkeypatch):
    """The bulk path writes what save() would: one change-log entry per row, search keys (the
    global search finds a bulk-created customer by its pinyin initials), derived columns."""

    from guanxi.customers.matching import company_name_key
    from guanxi.customers.validators import validate_id_number
    from guanxi.framework.search import keys_for, search
    from guanxi.users.models import User

    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 200)
    call_command("demo", "--quiet")
    # the 200 generated, and the 11 deliberate duplicates (one of each kind the duplicates queue
    # tells apart) seeded from 100 companies on: written by the same bulk path
    assert Customer.objects.count() == 200 + 11
    contacts, links = Contact.objects.count(), CustomerContact.objects.count()
    changes = ObjectChange.objects.filter(source="demo", action="create")
    assert changes.filter(changed_object_type__model="customer").count() == 200 + 11
    assert changes.filter(changed_object_type__model="contact").count() == contacts
    # links are logged on their customer (changelog_parent), so the 360° history shows them
    assert (
        changes.filter(changed_object_type__model="customercontact", related_object_id__isnull=False).count()
        == links
    )
    customer = Customer.objects.filter(kind=Customer.Kind.COMPANY).order_by("pk").first()
    assert customer.name_key == company_name_key(customer.name)
    assert customer.owned_since is not None
    assert (customer.province, customer.city) != ("", "")
    for c in Customer.objects.exclude(id_number=""):
        validate_id_number(c.id_number)
        assert c.kind == Customer.Kind.INDIVIDUAL
    initials = sorted(keys_for(customer.name), key=len)[0]  # the shortest key: the pinyin initials
    admin = User.objects.get(username="admin")
    assert customer in [hit.object for hit in search(admin, initials, limit=200)]


def test_demo_ships_shared_default_views(client, monkeypatch):
    """我的客户 / A 级客户 / 30 天未联系 / 本月生日 are shared and filter what they say."""
    from django.db import models
    from django.utils import timezone

    from guanxi.core.models import SavedView
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.models import User

    monkeypatch.setattr("guanxi.customers.demo_data.CUSTOMER_COUNT", 30)
    call_command("demo", "--quiet")
    views = {v.name: v for v in SavedView.objects.filter(shared=True, content_type__model="customer")}
    assert set(views) == {"我的客户", "A 级客户", "30 天未联系", "本月生日"}
    rep = User.objects.get(username="rep1")
    with as_system():
        mine = Customer.objects.filter(owner=rep).first() or Customer.objects.first()
        mine.owner, mine.level, mine.birthday = rep, "A", timezone.localdate().replace(day=1, year=1990)
        mine.kind, mine.credit_code = Customer.Kind.INDIVIDUAL, ""
        mine.save()
    client.force_login(User.objects.get(username="admin"))

    def listed(view):
        """The customers the list's rows link to (names can also appear in other cells)."""
        import re

        page = client.get("/customers/", {"view": views[view].pk, "per_page": 100}).content.decode()
        results = page[page.index('id="list-results"') :]
        return {int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', results)}

    def pks(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert listed("A 级客户") == pks(Customer.objects.filter(level="A"))
    assert mine.pk in listed("本月生日")
    month_ago = timezone.now() - timezone.timedelta(days=30)
    assert listed("30 天未联系") == pks(
        Customer.objects.filter(status="active").filter(
            models.Q(last_contacted_at__isnull=True) | models.Q(last_contacted_at__lt=month_ago)
        )
    )
    client.force_login(rep)
    assert listed("我的客户") == pks(Customer.objects.filter(owner=rep))
