"""A filter set validates and applies only the filters a request sends (``filter_form``); the
whole form is built for the filter panel alone."""

from __future__ import annotations

import datetime

import django_filters
import pytest
from django import forms
from django.http import QueryDict

from guanxi.customers.filtersets import CustomerFilterSet
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db


def _query(**params: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


@pytest.fixture
def customers(db):
    with as_system():
        a = Customer.objects.create(name="甲公司", level="A", city="杭州")
        b = Customer.objects.create(name="乙公司", level="B", city="杭州")
        c = Customer.objects.create(name="丙公司", level="A", city="宁波")
    return a, b, c


def test_only_the_sent_filters_are_built_and_cleaned(customers):
    a, _b, c = customers
    filterset = CustomerFilterSet(_query(level="A"), queryset=Customer.objects.all())
    assert filterset.is_valid()
    assert sorted(filterset.qs.values_list("name", flat=True)) == sorted([a.name, c.name])
    assert set(filterset.filter_form.fields) == {"level"}
    assert filterset.cleaned_data == {"level": ["A"]}
    # the panel still gets every filter, bound to the same data
    assert {"level", "city", "province", "owner", "created_after"} <= set(filterset.form.fields)
    assert filterset.form["level"].value() == ["A"]


def test_a_widget_part_counts_as_sent(customers):
    """``created_after`` / range widgets send ``<name>_after`` and the like: those filters apply."""
    filterset = CustomerFilterSet(
        _query(created_after=(datetime.date.today() + datetime.timedelta(days=1)).isoformat()),
        queryset=Customer.objects.all(),
    )
    assert "created_after" in filterset.filter_form.fields
    assert list(filterset.qs) == []


def test_a_bad_sent_value_still_fails_with_its_message(customers):
    filterset = CustomerFilterSet(_query(level="Z", city="杭州"), queryset=Customer.objects.all())
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"level"}
    assert set(filterset.filter_form.fields) == {"level", "city"}


def test_the_whole_form_once_built_is_the_one_that_filters(customers):
    filterset = CustomerFilterSet(_query(city="宁波"), queryset=Customer.objects.all())
    whole = filterset.form
    assert filterset.filter_form is whole
    assert [c.name for c in filterset.qs] == ["丙公司"]


def test_an_unticked_checkbox_is_cleaned_as_no(customers):
    """A checkbox sends nothing when unticked and still means "no": it is always cleaned."""

    class TickedFilterSet(CustomerFilterSet):
        only_level_a = django_filters.BooleanFilter(
            method="filter_only_a", widget=forms.CheckboxInput, label="A only"
        )

        def filter_only_a(self, queryset, name, value):
            return queryset.filter(level="A") if value else queryset.exclude(level="A")

    filterset = TickedFilterSet(_query(city="杭州"), queryset=Customer.objects.all())
    assert "only_level_a" in filterset.filter_form.fields
    assert [c.name for c in filterset.qs] == ["乙公司"]


def test_the_list_page_and_the_api_filter_as_before(admin_client, customers):
    page = admin_client.get("/customers/", {"level": "A", "city": "杭州"})
    assert page.status_code == 200
    assert "甲公司" in page.content.decode() and "乙公司" not in page.content.decode()
    api = admin_client.get("/api/v1/customers/customers/", {"level": "A", "city": "杭州"})
    assert api.status_code == 200
    assert [row["name"] for row in api.json()["results"]] == ["甲公司"]
    refused = admin_client.get("/api/v1/customers/customers/", {"level": "Z"})
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"level"}
