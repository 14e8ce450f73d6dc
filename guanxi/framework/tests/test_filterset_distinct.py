"""Multiple-choice filters add DISTINCT only where a to-many path can repeat rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import Tag, TaggedItem
from guanxi.customers.models import Customer, CustomerContact
from guanxi.customers.views import CustomerFilterSet
from guanxi.framework.filtersets import spans_many
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db


def test_spans_many_follows_the_path():
    assert not spans_many(Customer, "level")
    assert not spans_many(Customer, "owner")
    assert not spans_many(Customer, "owner__department__name")
    assert not spans_many(Customer, "custom_field_data__size")
    assert spans_many(Customer, "tagged_items__tag__slug")
    assert spans_many(Customer, "contact_links__contact")
    assert not spans_many(CustomerContact, "customer__name")
    assert spans_many(Customer, "no_such_field")  # unknown: keep DISTINCT, the safe side


def test_choice_filter_on_a_column_has_no_distinct(admin_user):
    with as_system():
        Customer.objects.create(name="甲", level="A", province="广东")
        Customer.objects.create(name="乙", level="B", province="广东")
    filterset = CustomerFilterSet({"level": ["A", "B"], "province": "广东"}, queryset=Customer.objects.all())
    with CaptureQueriesContext(connection) as queries:
        assert sorted(c.name for c in filterset.qs) == ["乙", "甲"]
    assert "DISTINCT" not in queries.captured_queries[-1]["sql"]


def test_tag_filter_keeps_distinct_and_lists_each_row_once(admin_user):
    with as_system():
        customer = Customer.objects.create(name="甲")
        for slug in ("vip", "key"):
            tag = Tag.objects.create(name=slug, slug=slug)
            TaggedItem.objects.create(tag=tag, content_object=customer)
    filterset = CustomerFilterSet({"tag": ["vip", "key"]}, queryset=Customer.objects.all())
    assert [c.name for c in filterset.qs] == ["甲"]
    assert filterset.qs.query.distinct


def test_owner_and_department_filters_narrow_the_list_page(admin_client, admin_user):
    """The owner / department chips are added per instance; they filter (they used to raise)."""
    from guanxi.users.models import Department

    with as_system():
        sales = Department.objects.create(name="销售部")
        Customer.objects.create(name="我的客户", owner=admin_user)
        Customer.objects.create(name="部门客户", department=sales)
        Customer.objects.create(name="别人的客户")
    mine = admin_client.get("/customers/", {"owner": admin_user.pk})
    assert mine.status_code == 200
    page = mine.content.decode()
    assert "我的客户" in page and "部门客户" not in page and "别人的客户" not in page
    assert f"{admin_user}" in page  # the active-filter chip names the owner
    theirs = admin_client.get("/customers/", {"department": sales.pk}).content.decode()
    assert "部门客户" in theirs and "我的客户" not in theirs
