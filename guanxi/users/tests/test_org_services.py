"""Scenario tests of the organisation use cases: role grants, field rules, role assignment,
(de)activation and moving departments. Given / when / then, exact values, nothing changed on denial."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.models import ObjectChange, Tag
from guanxi.framework.access import can
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.users.models import Department, FieldRule, Role, RoleGrant, User
from guanxi.users.services.access import (
    INTERNAL_MODELS,
    assign_roles,
    deactivate_user,
    grantable_models,
    model_actions,
    move_department,
    reactivate_user,
    rule_fields,
    save_field_rules,
    save_role_grants,
)

pytestmark = pytest.mark.django_db


def ct(model):
    return ContentType.objects.get_for_model(model)


@pytest.fixture
def role():
    with as_system():
        return Role.objects.create(name="区域销售经理", name_en="Sales manager")


def grants_of(role):
    return sorted((g.content_type.model, g.actions, g.scope) for g in RoleGrant.objects.filter(role=role))


def role_changes(role):
    return ObjectChange.objects.filter(related_object_type=ct(Role), related_object_id=role.pk)


# --- the matrix's rows and columns ------------------------------------------------------------


def test_grantable_models_exclude_internal_bookkeeping():
    labels = {m._meta.label_lower for m in grantable_models()}
    assert {"core.tag", "core.customfield", "users.user", "users.department", "users.role"} <= labels
    assert "testapp.gadget" in labels
    assert labels.isdisjoint(INTERNAL_MODELS)
    assert "core.objectchange" not in labels and "core.recordshare" not in labels


def test_actions_and_fields_per_model():
    standard = ["view", "add", "change", "delete", "export", "import"]
    assert [a for a, _label in model_actions(Tag)] == [*standard, "reveal"]
    # owned records can also be assigned to someone else
    assert [a for a, _label in model_actions(Gadget)] == [*standard, "assign", "reveal"]
    names = [n for n, _label in rule_fields(Gadget)]
    assert names[:6] == ["owner", "department", "name", "code", "price", "status"]
    assert {"id", "custom_field_data", "created_at", "created_by"}.isdisjoint(names)


# --- save_role_grants -------------------------------------------------------------------------


def test_save_role_grants_creates_updates_and_removes(role, admin_user):
    with as_user(admin_user):
        save_role_grants(
            role,
            {ct(Gadget): (["change", "view"], "department"), ct(Tag): (["view"], "all")},
            actor=admin_user,
        )
    assert grants_of(role) == [("gadget", ["view", "change"], "department"), ("tag", ["view"], "all")]
    assert role_changes(role).filter(action="create").count() == 2

    with as_user(admin_user):
        save_role_grants(
            role,
            {ct(Gadget): (["view", "change"], "department_tree"), ct(Tag): ([], "all")},
            actor=admin_user,
        )
    assert grants_of(role) == [("gadget", ["view", "change"], "department_tree")]
    update = role_changes(role).get(action="update")
    assert (update.prechange_data, update.postchange_data) == (
        {"scope": "department"},
        {"scope": "department_tree"},
    )
    assert role_changes(role).filter(action="delete").count() == 1
    assert update.user == admin_user


def test_saving_the_same_grants_writes_nothing(role, admin_user):
    grants = {ct(Gadget): (["view"], "own")}
    with as_user(admin_user):
        save_role_grants(role, grants, actor=admin_user)
        before = ObjectChange.objects.count()
        save_role_grants(role, grants, actor=admin_user)
    assert ObjectChange.objects.count() == before


@pytest.mark.parametrize(
    ("grants", "key"),
    [
        ({"gadget": (["view", "fly"], "own")}, "actions"),
        ({"gadget": (["view"], "galaxy")}, "scope"),
        ({"gadget": (["change"], "own")}, "actions"),  # every action needs view
        ({"objectchange": (["view"], "all")}, "actions"),  # internal model
    ],
)
def test_invalid_grants_are_refused_and_nothing_is_saved(role, admin_user, grants, key):
    types = {"gadget": ct(Gadget), "objectchange": ContentType.objects.get(model="objectchange")}
    with as_user(admin_user):
        save_role_grants(role, {ct(Tag): (["view"], "all")}, actor=admin_user)
        with pytest.raises(ValidationError) as error:
            # the valid first entry must be rolled back with the invalid one
            save_role_grants(
                role,
                {ct(Tag): ([], "all"), **{types[k]: v for k, v in grants.items()}},
                actor=admin_user,
            )
    assert list(error.value.message_dict) == [key]
    assert grants_of(role) == [("tag", ["view"], "all")]


def test_grants_need_change_on_roles(role, make_user):
    clerk = make_user("clerk", perms=["users.view_role"])
    with as_user(clerk), pytest.raises(PermissionDenied):
        save_role_grants(role, {ct(Tag): (["view"], "all")}, actor=clerk)
    assert grants_of(role) == []


# --- save_field_rules -------------------------------------------------------------------------


def test_field_rules_set_change_and_clear(role, admin_user):
    with as_user(admin_user):
        save_field_rules(
            role, {ct(Gadget): {"code": "masked", "price": "hidden", "name": ""}}, actor=admin_user
        )
    rules = dict(FieldRule.objects.filter(role=role).values_list("field_name", "access"))
    assert rules == {"code": "masked", "price": "hidden"}
    with as_user(admin_user):
        save_field_rules(role, {ct(Gadget): {"code": "readonly", "price": ""}}, actor=admin_user)
    rules = dict(FieldRule.objects.filter(role=role).values_list("field_name", "access"))
    assert rules == {"code": "readonly"}


def test_custom_fields_are_rule_fields(role, admin_user):
    from guanxi.core.models import CustomField

    with as_system():
        CustomField.objects.create(content_type=ct(Gadget), name="wechat", label="微信", type="text")
    assert ("cf_wechat", "微信") in rule_fields(Gadget)
    with as_user(admin_user):
        save_field_rules(role, {ct(Gadget): {"cf_wechat": "masked"}}, actor=admin_user)
    assert FieldRule.objects.get(role=role).field_name == "cf_wechat"


def test_unknown_field_or_access_is_refused(role, admin_user):
    with as_user(admin_user):
        with pytest.raises(ValidationError) as error:
            save_field_rules(role, {ct(Gadget): {"code": "masked", "colour": "hidden"}}, actor=admin_user)
        assert list(error.value.message_dict) == ["field_rules"]
        with pytest.raises(ValidationError):
            save_field_rules(role, {ct(Gadget): {"code": "blurred"}}, actor=admin_user)
    assert not FieldRule.objects.filter(role=role).exists()


# --- roles, combined ---------------------------------------------------------------------------


def test_assign_roles_is_logged_on_the_user_and_takes_effect(role, admin_user, make_user):
    rep = make_user("rep")
    with as_user(admin_user):
        save_role_grants(role, {ct(Tag): (["view"], "all")}, actor=admin_user)
        assert not can(rep, "view", Tag)
        assign_roles(rep, [role], actor=admin_user)
    assert can(rep, "view", Tag)  # the cached access of this user object was dropped
    change = ObjectChange.objects.filter(changed_object_type=ct(User), changed_object_id=rep.pk).latest("pk")
    assert change.user == admin_user
    assert change.postchange_data == {"roles": ["区域销售经理"]}
    with as_user(admin_user):
        assign_roles(rep, [], actor=admin_user)
    assert list(rep.roles.all()) == []
    assert not can(rep, "view", Tag)


def test_roles_combine_as_a_union_of_scopes(admin_user, make_user):
    with as_system():
        east = Department.objects.create(name="华东")
        west = Department.objects.create(name="华西")
        own = Role.objects.create(name="本人")
        dept = Role.objects.create(name="部门")
    rep = make_user("rep", department=east)
    other = make_user("other", department=east)
    with as_system():
        mine = Gadget.objects.create(name="mine", code="G1", owner=rep)
        colleague = Gadget.objects.create(name="colleague", code="G2", owner=other)
        Gadget.objects.create(name="far", code="G3", owner=other, department=west)
    with as_user(admin_user):
        save_role_grants(own, {ct(Gadget): (["view"], "own")}, actor=admin_user)
        save_role_grants(dept, {ct(Gadget): (["view"], "department")}, actor=admin_user)
        assign_roles(rep, [own], actor=admin_user)
    assert list(Gadget.objects.restrict(rep, "view")) == [mine]
    with as_user(admin_user):
        assign_roles(rep, [own, dept], actor=admin_user)
    assert list(Gadget.objects.restrict(rep, "view").order_by("code")) == [mine, colleague]


# --- users -----------------------------------------------------------------------------------


def test_deactivate_keeps_records_and_reactivate_restores(admin_user, make_user, role):
    rep = make_user("rep")
    with as_system():
        gadget = Gadget.objects.create(name="g", code="G1", owner=rep)
        rep.roles.add(role)
    with as_user(admin_user):
        deactivate_user(rep, actor=admin_user)
    rep.refresh_from_db()
    assert rep.is_active is False
    gadget.refresh_from_db()
    assert gadget.owner_id == rep.pk
    assert list(rep.roles.all()) == [role]
    change = ObjectChange.objects.filter(changed_object_type=ct(User), changed_object_id=rep.pk).latest("pk")
    assert (change.prechange_data, change.postchange_data) == ({"is_active": True}, {"is_active": False})
    with as_user(admin_user):
        reactivate_user(rep, actor=admin_user)
    rep.refresh_from_db()
    assert rep.is_active is True


def test_cannot_deactivate_yourself_or_the_last_admin(admin_user, make_user):
    with as_user(admin_user), pytest.raises(ValidationError) as error:
        deactivate_user(admin_user, actor=admin_user)
    assert list(error.value.message_dict) == ["is_active"]
    with as_system(), pytest.raises(ValidationError):
        deactivate_user(admin_user, actor=None)
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_deactivation_needs_change_on_users(make_user):
    viewer = make_user("viewer", perms=["users.view_user"])
    rep = make_user("rep")
    with as_user(viewer), pytest.raises(PermissionDenied):
        deactivate_user(rep, actor=viewer)
    rep.refresh_from_db()
    assert rep.is_active is True


# --- departments -----------------------------------------------------------------------------


@pytest.fixture
def tree():
    """hq ─┬─ sales ── east ── east2
    └─ service"""
    with as_system():
        hq = Department.objects.create(name="总部")
        sales = Department.objects.create(name="销售中心", parent=hq)
        east = Department.objects.create(name="华东", parent=sales)
        east2 = Department.objects.create(name="华东二部", parent=east)
        service = Department.objects.create(name="客服部", parent=hq)
    return hq, sales, east, east2, service


def paths():
    return {d.name: (d.path, d.depth) for d in Department.objects.all()}


def test_move_department_rewrites_the_subtree_in_one_update(tree, admin_user, django_assert_num_queries):
    hq, sales, east, east2, service = tree
    p = f"{hq.pk:06d}."
    with as_user(admin_user):
        move_department(east, service, actor=admin_user)
    assert paths() == {
        "总部": (p, 0),
        "销售中心": (f"{p}{sales.pk:06d}.", 1),
        "客服部": (f"{p}{service.pk:06d}.", 1),
        "华东": (f"{p}{service.pk:06d}.{east.pk:06d}.", 2),
        "华东二部": (f"{p}{service.pk:06d}.{east.pk:06d}.{east2.pk:06d}.", 3),
    }
    east.refresh_from_db()
    assert east.parent == service
    change = ObjectChange.objects.filter(
        changed_object_type=ct(Department), changed_object_id=east.pk
    ).latest("pk")
    assert (change.prechange_data, change.postchange_data) == ({"parent": sales.pk}, {"parent": service.pk})
    # to the top level: depth shrinks for the whole subtree
    with as_user(admin_user):
        move_department(east, None, actor=admin_user)
    assert paths()["华东二部"] == (f"{east.pk:06d}.{east2.pk:06d}.", 1)
    assert [d.name for d in Department.objects.get(name="总部").subtree()] == ["总部", "销售中心", "客服部"]


def test_moving_under_a_descendant_is_refused(tree, admin_user):
    _hq, sales, _east, east2, _service = tree
    before = paths()
    for target in (east2, sales):
        with as_user(admin_user), pytest.raises(ValidationError) as error:
            move_department(sales, target, actor=admin_user)
        assert list(error.value.message_dict) == ["parent"]
    assert paths() == before


@pytest.mark.django_db
def test_shipped_roles_cannot_be_deleted_even_in_bulk(admin_client):
    from guanxi.users.models import Role

    shipped = Role.objects.get(name="只读")
    response = admin_client.post(
        "/org/roles/bulk-delete/", {"pk": [shipped.pk], "_confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert Role.objects.filter(pk=shipped.pk).exists()
    assert "只读" in response.content.decode()
