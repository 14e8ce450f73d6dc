"""The condition language on customers: compiled trees select what hand-written ORM filters
select, tokens resolve per user, relative dates follow the clock, fields a user may not read in
clear are refused, and the catalogue/validate API answers in the user's language."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation

from guanxi.core.models import CustomField, Tag, TaggedItem
from guanxi.customers.models import Customer
from guanxi.framework import conditions
from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import FieldRule

NOW = timezone.make_aware(datetime.datetime(2026, 3, 18, 15, 30))  # a Wednesday
TODAY = NOW.date()


def ago(**kwargs):
    return NOW - datetime.timedelta(**kwargs)


@pytest.fixture
def rows(team):
    """Customers of three owners with levels, birthdays, contact dates, custom fields and tags."""
    ct = ContentType.objects.get_for_model(Customer)
    with as_system():
        CustomField.objects.create(
            content_type=ct, name="budget", label="预算", label_en="Budget", type="integer"
        )
        CustomField.objects.create(
            content_type=ct,
            name="tier",
            label="等级",
            type="select",
            choices=[{"value": "gold", "label": "金"}, {"value": "silver", "label": "银"}],
        )
        CustomField.objects.create(content_type=ct, name="memo", label="备注", type="text")
        CustomField.objects.create(content_type=ct, name="signed", label="签约日", type="date")
        specs = [
            # name, owner, level, birthday, last contacted, custom fields
            ("甲", team.rep1, "A", datetime.date(1990, 3, 2), ago(days=3), {"budget": 500, "tier": "gold"}),
            (
                "乙",
                team.rep1b,
                "B",
                datetime.date(1985, 7, 9),
                ago(days=45),
                {"budget": 90, "memo": "大客户"},
            ),
            ("丙", team.rep2, "C", None, None, {"tier": "silver", "signed": "2026-03-01"}),
            ("丁", team.manager1, "A", datetime.date(2000, 3, 30), ago(days=400), {"signed": "2025-12-31"}),
            ("戊", team.rep2, "", None, ago(hours=2), {}),
        ]
        made = {}
        for name, owner, level, birthday, contacted, cf in specs:
            customer = Customer.objects.create(
                name=name,
                owner=owner,
                department=owner.department,
                level=level,
                birthday=birthday,
                custom_field_data=cf,
            )
            Customer.objects.filter(pk=customer.pk).update(last_contacted_at=contacted)
            made[name] = customer
        vip = Tag.objects.create(name="重点", slug="vip")
        new = Tag.objects.create(name="新", slug="new")
        for name, tags in (("甲", [vip, new]), ("丙", [new])):
            for tag in tags:
                TaggedItem.objects.create(tag=tag, content_type=ct, object_id=made[name].pk)
    return made


def names(q):
    return set(Customer.objects.filter(q).values_list("name", flat=True))


def leaf(field, op, value=None):
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return {"version": 1, "all": [node]}


CASES = [
    # (tree, the same selection written by hand)
    (leaf("level", "in", ["A", "B"]), Q(level__in=["A", "B"])),
    (leaf("level", "eq", "A"), Q(level="A")),
    (leaf("level", "ne", "A"), ~Q(level="A")),
    (leaf("level", "not_in", ["A"]), ~Q(level__in=["A"])),
    (leaf("level", "is_empty"), Q(level="") | Q(level__isnull=True)),
    (leaf("level", "is_not_empty"), ~Q(level="")),
    (leaf("name", "contains", "甲"), Q(name__icontains="甲")),
    (leaf("name", "startswith", "乙"), Q(name__startswith="乙")),
    (leaf("birthday", "is_empty"), Q(birthday__isnull=True)),
    (leaf("birthday", "before", "1990-03-02"), Q(birthday__lt=datetime.date(1990, 3, 2))),
    (leaf("birthday", "lte", "1990-03-02"), Q(birthday__lte=datetime.date(1990, 3, 2))),
    (
        leaf("birthday", "between", ["1985-01-01", "1995-01-01"]),
        Q(birthday__range=("1985-01-01", "1995-01-01")),
    ),
    (leaf("birthday", "this_month_any_year"), Q(birthday__month=3)),
    (
        leaf("last_contacted_at", "within_last", {"amount": 30, "unit": "day"}),
        Q(last_contacted_at__gte=ago(days=30)),
    ),
    (
        leaf("last_contacted_at", "older_than", {"amount": 30, "unit": "day"}),
        Q(last_contacted_at__lt=ago(days=30)),
    ),
    (
        leaf("last_contacted_at", "within_last", {"amount": 1, "unit": "year"}),
        Q(last_contacted_at__gte=ago(days=365)),
    ),
    (leaf("last_contacted_at", "today"), Q(last_contacted_at__date=TODAY)),
    (leaf("last_contacted_at", "this_week"), Q(last_contacted_at__gte=ago(days=2, hours=15, minutes=30))),
    (leaf("owner", "eq", "$me"), "owner=me"),
    (leaf("owner", "in", ["$my_team"]), "owner in team"),
    (leaf("owner.department", "in", ["$my_department_tree"]), "owner.department in tree"),
    (leaf("cf.budget", "gt", 100), Q(name="甲")),
    (leaf("cf.budget", "between", [50, 100]), Q(name="乙")),
    (leaf("cf.budget", "is_empty"), Q(name__in=["丙", "丁", "戊"])),
    (leaf("cf.tier", "in", ["gold"]), Q(name="甲")),
    (leaf("cf.tier", "not_in", ["gold"]), ~Q(name="甲")),
    (leaf("cf.memo", "contains", "客户"), Q(name="乙")),
    (leaf("cf.signed", "after", "2026-01-01"), Q(name="丙")),
    (leaf("cf.signed", "this_year"), Q(name="丙")),
    (leaf("tags", "in", ["vip", "new"]), Q(name__in=["甲", "丙"])),
    (leaf("tags", "not_in", ["vip"]), ~Q(name="甲")),
    (leaf("tags", "is_empty"), Q(name__in=["乙", "丁", "戊"])),
    (
        {
            "version": 1,
            "any": [
                {"field": "level", "op": "eq", "value": "C"},
                {"not": {"field": "level", "op": "in", "value": ["A", "C"]}},
            ],
        },
        Q(level="C") | ~Q(level__in=["A", "C"]),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("tree", "expected"), CASES, ids=[str(t)[:70] for t, _e in CASES])
def test_compiled_trees_select_what_the_orm_selects(rows, team, tree, expected):
    me = team.manager1
    if expected == "owner=me":
        expected = Q(owner=me)
    elif expected == "owner in team":
        expected = Q(owner__in=[me, team.rep1, team.rep1b])
    elif expected == "owner.department in tree":
        expected = Q(owner__department=me.department)
    got = names(conditions.compile(tree, Customer, user=me, now=NOW))
    assert got == names(expected)
    assert got != set() or tree == leaf("name", "startswith", "无")  # every case selects something


@pytest.mark.django_db
def test_tokens_resolve_for_each_user(rows, team):
    tree = leaf("owner", "in", ["$my_team"])
    assert names(conditions.compile(tree, Customer, user=team.manager1)) == {"甲", "乙", "丁"}
    assert names(conditions.compile(tree, Customer, user=team.rep2)) == {"丙", "戊"}
    dept = leaf("department", "eq", "$my_department")
    assert names(conditions.compile(dept, Customer, user=team.rep2)) == {"丙", "戊"}


@pytest.mark.django_db
def test_relative_dates_follow_the_clock(rows, team):
    tree = leaf("last_contacted_at", "within_last", {"amount": 30, "unit": "day"})
    assert names(conditions.compile(tree, Customer, user=team.manager1, now=NOW)) == {"甲", "戊"}
    later = NOW + datetime.timedelta(days=28)
    assert names(conditions.compile(tree, Customer, user=team.manager1, now=later)) == {"戊"}
    month = leaf("birthday", "this_month_any_year")
    in_july = timezone.make_aware(datetime.datetime(2026, 7, 1, 12))
    assert names(conditions.compile(month, Customer, now=in_july)) == {"乙"}


def test_month_arithmetic_clamps_to_the_last_day():
    from guanxi.framework.conditions.values import add_months, period

    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2026, 12, 15), 1) == datetime.date(2027, 1, 15)
    assert period("this_quarter", datetime.date(2026, 11, 5)) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 1, 1),
    )
    assert period("this_week", datetime.date(2026, 3, 18)) == (
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 23),
    )


@pytest.mark.django_db
def test_validation_gives_a_message_per_node_in_the_users_language(rows):
    tree = {
        "version": 1,
        "all": [
            {"field": "nope", "op": "eq", "value": 1},
            {"field": "level", "op": "gt", "value": "A"},
            {"any": [{"field": "last_contacted_at", "op": "within_last", "value": {"amount": "x"}}]},
            {"field": "level", "op": "in", "value": ["Z"]},
            {"field": "cf.budget", "op": "eq", "value": "many"},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        conditions.validate(tree, Customer)
    errors = caught.value.message_dict
    assert set(errors) == {"all.0", "all.1", "all.2.any.0", "all.3", "all.4"}
    assert "“nope” is not a field you can filter on." in errors["all.0"][0]
    assert "“gt” does not apply to level" in errors["all.1"][0]
    assert "whole number" in errors["all.2.any.0"][0]
    assert "“Z” is not one of the options." in errors["all.3"][0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        conditions.validate(tree, Customer)
    assert "不是可以筛选的字段" in caught.value.message_dict["all.0"][0]
    with pytest.raises(ValidationError) as caught:
        conditions.validate({"version": 2, "all": []}, Customer)
    assert "version" in caught.value.message_dict
    conditions.validate(leaf("owner", "eq", "$me"), Customer, user=None)  # stored for any viewer…
    with pytest.raises(ValidationError, match="needs a signed-in user"):
        conditions.compile(leaf("owner", "eq", "$me"), Customer, user=None)  # …applied for one


@pytest.mark.django_db
def test_hidden_and_masked_fields_are_refused(rows, team):
    ct = ContentType.objects.get_for_model(Customer)
    role = team.rep1.roles.get(name="rep-rep1")
    with as_system():
        FieldRule.objects.create(role=role, content_type=ct, field_name="phone", access="masked")
        FieldRule.objects.create(role=role, content_type=ct, field_name="level", access="hidden")
        FieldRule.objects.create(role=role, content_type=ct, field_name="cf_budget", access="hidden")
        FieldRule.objects.create(role=role, content_type=ct, field_name="owner", access="hidden")
        FieldRule.objects.create(role=role, content_type=ct, field_name="notes", access="readonly")
    user = type(team.rep1).objects.get(pk=team.rep1.pk)
    for field, op, value in (
        ("phone", "startswith", "138"),
        ("level", "eq", "A"),
        ("cf.budget", "gt", 1),
        ("owner", "eq", "$me"),
        ("owner.department", "is_empty", None),  # through a hidden relation
        ("owner.phone", "is_empty", None),  # rep1 may not view users at all
    ):
        with pytest.raises(ValidationError, match="not a field you can filter on"):
            conditions.compile(leaf(field, op, value), Customer, user=user)
    conditions.compile(leaf("notes", "contains", "x"), Customer, user=user)  # read-only is readable
    catalogue = conditions.catalogue_for(Customer, user)
    assert "notes" in catalogue and "phone" not in catalogue and "cf.budget" not in catalogue
    # the manager may view users: one-hop fields of the owner are his to use
    assert "owner.department" in conditions.catalogue_for(Customer, team.manager1)


@pytest.mark.django_db
def test_applied_after_restrict(rows, team):
    tree = leaf("level", "in", ["A", "B", "C"])
    assert set(conditions.matching(tree, Customer, team.rep1).values_list("name", flat=True)) == {"甲"}


@pytest.mark.django_db
def test_matches_one_record(rows, team):
    assert conditions.matches(leaf("level", "eq", "A"), rows["甲"])
    assert not conditions.matches(leaf("level", "eq", "A"), rows["乙"])


@pytest.mark.django_db
def test_catalogue_describes_fields_for_editors(rows):
    catalogue = conditions.catalogue(Customer)
    level = catalogue["level"].as_dict()
    assert level["kind"] == "choice" and "in" in level["ops"]
    assert "A" in {choice["value"] for choice in level["choices"]}
    assert catalogue["owner.department"].kind == "department"
    assert catalogue["cf.budget"].kind == "integer" and catalogue["cf.tier"].kind == "choice"
    assert catalogue["tags"].kind == "tags"
    assert catalogue["owner"].as_dict()["tokens"] == ["$me", "$my_team"]
    assert "owner.password" not in catalogue and "custom_field_data" not in catalogue


@pytest.mark.django_db
def test_api_catalogue_and_validate(client, rows, team):
    client.force_login(team.rep1)
    fields = client.get("/api/v1/core/conditions/customers.customer/fields/")
    assert fields.status_code == 200
    assert "level" in {f["name"] for f in fields.json()["fields"]}
    url = "/api/v1/core/conditions/customers.customer/validate/"
    ok = client.post(url, {"condition": leaf("level", "in", ["A", "C"])}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["count"] == 1  # rep1 sees only 甲 of 甲/丙/丁
    bad = client.post(url, {"condition": leaf("level", "gt", "A")}, content_type="application/json")
    assert bad.status_code == 400 and "all.0" in str(bad.json())
    assert client.post(url, {}, content_type="application/json").status_code == 400
    assert client.get("/api/v1/core/conditions/nope.nothing/fields/").status_code == 404
    assert client.get("/api/v1/core/conditions/abc/fields/").status_code == 404
    assert client.get("/api/v1/core/conditions/users.role/fields/").status_code == 403


# -- property: groups compose like sets ---------------------------------------------------------

_LEAVES = [tree["all"][0] for tree, _expected in CASES if "all" in tree and len(tree["all"]) == 1]


def _groups(depth: int = 3):
    from hypothesis import strategies as st

    leaves = st.sampled_from(_LEAVES)
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda x: {"not": x}, inner),
        ),
        max_leaves=6,
    )


def _evaluate(node, leaf_rows, everything):
    """The rows of ``node`` computed with Python set algebra from each leaf's own rows."""
    if "all" in node:
        out = set(everything)
        for child in node["all"]:
            out &= _evaluate(child, leaf_rows, everything)
        return out
    if "any" in node:
        out = set()
        for child in node["any"]:
            out |= _evaluate(child, leaf_rows, everything)
        return out
    if "not" in node:
        return everything - _evaluate(node["not"], leaf_rows, everything)
    return leaf_rows[repr(node)]


@pytest.mark.django_db
def test_groups_compose_like_sets(rows, team):
    """Random all/any/not trees over the table's leaves select what set algebra over each
    leaf's rows gives (NOT is the complement among all rows, NULLs included)."""
    from hypothesis import HealthCheck, given, settings

    me = team.manager1
    everything = set(Customer.objects.values_list("name", flat=True))
    leaf_rows = {
        repr(node): names(conditions.compile({"version": 1, "all": [node]}, Customer, user=me, now=NOW))
        for node in _LEAVES
    }

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(tree=_groups())
    def check(tree):
        compiled = conditions.compile({"version": 1, "all": [tree]}, Customer, user=me, now=NOW)
        assert names(compiled) == _evaluate(tree, leaf_rows, everything)

    check()
