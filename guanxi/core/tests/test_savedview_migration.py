"""The migration of saved views from stored query strings to condition trees: what maps becomes
a tree (through the list's FilterSet), what does not is kept as "needs attention"."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guanxi.customers.models import Customer
from guanxi.framework.conditions.filters import params_to_tree, tree_to_params

BEFORE = [("core", "0008_savedview_conditions")]


@pytest.mark.django_db(transaction=True)
def test_old_views_become_condition_trees():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ContentType = old.get_model("contenttypes", "ContentType")
    User = old.get_model("users", "User")
    SavedView = old.get_model("core", "SavedView")
    owner = User.objects.create(username="owner", password="x")
    customer_ct, _ = ContentType.objects.get_or_create(app_label="customers", model="customer")
    tag_ct, _ = ContentType.objects.get_or_create(app_label="core", model="tag")
    gone_ct, _ = ContentType.objects.get_or_create(app_label="nowhere", model="gone")
    customers = SavedView.objects.create(
        content_type=customer_ct,
        owner=owner,
        name="A and mine",
        params={
            "filters": {
                "level": ["A", "B"],
                "mine": ["true"],
                "not_contacted_days": ["30"],
                "q": ["华为"],
                "renamed_long_ago": ["x"],
                "created_after": ["2026-01-01"],
            },
            "columns": ["name", "level"],
            "sort": "-created_at",
            "per_page": 100,
        },
    )
    tags = SavedView.objects.create(
        content_type=tag_ct, owner=owner, name="Red", params={"filters": {"color": ["red"]}, "per_page": 7}
    )
    lost = SavedView.objects.create(
        content_type=gone_ct, owner=owner, name="Lost", params={"filters": {"a": ["1"]}}
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # forward to the latest state of every app: later tests need the tables of later migrations
    executor.migrate(executor.loader.graph.leaf_nodes())
    from guanxi.core.models import SavedView as Current

    view = Current.objects.get(pk=customers.pk)
    assert view.condition["version"] == 1
    # PostgreSQL's jsonb keeps the stored parameters' keys in its own order: compare as a set.
    assert sorted(json.dumps(node, sort_keys=True) for node in view.condition["all"]) == sorted(
        json.dumps(node, sort_keys=True)
        for node in [
            {"field": "level", "op": "in", "value": ["A", "B"]},
            {"field": "owner", "op": "eq", "value": "$me"},
            {
                "any": [
                    {"field": "last_contacted_at", "op": "is_empty"},
                    {
                        "field": "last_contacted_at",
                        "op": "older_than",
                        "value": {"amount": 30, "unit": "day"},
                    },
                ]
            },
            {"field": "created_at", "op": "gte", "value": "2026-01-01"},
        ]
    )
    assert view.search == "华为"
    assert [item["param"] for item in view.needs_attention] == ["renamed_long_ago"]
    assert (view.columns, view.ordering, view.per_page) == (["name", "level"], "-created_at", 100)
    red = Current.objects.get(pk=tags.pk)
    assert red.condition["all"] == [{"field": "color", "op": "in", "value": ["red"]}]
    assert red.per_page is None  # not a page size the list offers
    assert Current.objects.get(pk=lost.pk).needs_attention == [
        {"param": "a", "values": ["1"], "reason": "unknown_list", "detail": ""}
    ]


@pytest.mark.django_db
def test_filter_parameters_and_trees_round_trip():
    params = {"level": ["A"], "mine": ["true"], "birthday_this_month": ["true"], "region": ["3101"]}
    tree, attention = params_to_tree(Customer, params)
    assert attention == []
    back, rest = tree_to_params(Customer, tree)
    assert back == params and rest == {"version": 1, "all": []}
    # a condition no filter of the panel shows stays in the rest
    extra = {"field": "owner.department", "op": "in", "value": ["$my_department_tree"]}
    _back, rest = tree_to_params(Customer, {"version": 1, "all": [*tree["all"], extra]})
    assert rest["all"] == [extra]
    # a value the catalogue refuses is kept as needs attention, with the reason
    _tree, attention = params_to_tree(Customer, {"level": ["NOPE"]})
    assert attention[0]["param"] == "level" and attention[0]["reason"] == "invalid"
    assert "NOPE" in attention[0]["detail"]
