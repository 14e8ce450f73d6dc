"""Instances built from rows (``guanxi.framework.loading``) and lists' related records loaded only
as far as they are shown (``RestrictedQuerySet.for_display``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from guanxi.core.models import Attachment
from guanxi.customers.models import Customer
from guanxi.framework.loading import display_deferrals, instance_from_row
from guanxi.framework.testing.fixtures import as_system
from guanxi.sales.models import Deal
from guanxi.sales.tests.conftest import make_pipeline

pytestmark = pytest.mark.django_db


def _deals(count: int) -> list[Deal]:
    pipeline = make_pipeline()
    with as_system():
        customer = Customer.objects.create(name="上海华康医疗器械有限公司", phone="+8613800138000")
        stage = pipeline.first_open_stage()
        assert stage is not None
        return [
            Deal.objects.create(name=f"商机{n}", customer=customer, pipeline=pipeline, stage=stage)
            for n in range(count)
        ]


def _django_from_db(model, db, field_names, values):
    """What Django's own ``Model.from_db`` builds from the same row."""
    return Model.from_db.__func__(model, db, field_names, values)


def test_an_instance_from_a_row_is_the_one_django_builds():
    (deal,) = _deals(1)
    names = [f.attname for f in Deal._meta.concrete_fields]
    values = list(Deal.objects.filter(pk=deal.pk).values_list(*names).get())
    fast = instance_from_row(Deal, "default", dict(zip(names, values, strict=True)))
    slow = _django_from_db(Deal, "default", names, values)
    assert fast is not None and type(fast) is Deal
    state = ("_state",)
    assert {k: v for k, v in fast.__dict__.items() if k not in state} == {
        k: v for k, v in slow.__dict__.items() if k not in state
    }
    assert (fast._state.adding, fast._state.db) == (False, "default") == (slow._state.adding, slow._state.db)
    assert fast.customer.name == "上海华康医疗器械有限公司"  # the foreign key reads through as usual
    loaded = Deal.objects.get(pk=deal.pk)
    assert loaded.changed_fields() == set()  # the change log's "before" is the loaded row
    loaded.name = "改名"
    assert loaded.changed_fields() == {"name"}


def test_deferred_columns_stay_deferred():
    (deal,) = _deals(1)
    loaded = Deal.objects.only("name").get(pk=deal.pk)
    assert loaded.get_deferred_fields() >= {"next_step", "stage_id"}
    with CaptureQueriesContext(connection) as queries:
        assert loaded.next_step == ""
    assert len(queries) == 1


def test_models_that_need_django_s_init_get_it():
    assert instance_from_row(Attachment, "default", {"id": 1}) is None  # a FileField's descriptor
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Customer)
    try:
        assert instance_from_row(Customer, "default", {"id": 1, "name": "x"}) is None
        _deals(1)
        seen.clear()
        customer = Customer.objects.get(name="上海华康医疗器械有限公司")
        assert seen == [customer.pk]  # the receiver still hears every loaded row
    finally:
        post_init.disconnect(receiver, sender=Customer)


def test_a_list_loads_the_related_record_as_far_as_it_is_shown():
    _deals(3)
    assert "customer__phone" in display_deferrals(Deal, {"customer": {}})
    assert "customer__name" not in display_deferrals(Deal, {"customer": {}})
    with CaptureQueriesContext(connection) as queries:
        rows = list(Deal.objects.select_related("customer").for_display().order_by("pk"))
        assert [str(row.customer) for row in rows] == ["上海华康医疗器械有限公司"] * 3
    assert len(queries) == 1
    assert "phone" not in queries[0]["sql"].split(" FROM ")[0].replace('"sales_deal"', "")
    with CaptureQueriesContext(connection) as queries:
        assert {row.customer.phone for row in rows} == {"+8613800138000"}
    assert len(queries) == 1  # a column nobody declared shown: fetched once for the page, never per row
