"""The entity registry gives the shipped roles (by code) their customer and contact grants, once."""

from __future__ import annotations

import pytest

from guanxi.framework.testing.fixtures import as_system
from guanxi.users.models import RoleGrant

pytestmark = pytest.mark.django_db

EXPECTED = {
    "系统管理员": (
        ["view", "add", "change", "delete", "export", "import", "assign", "reveal", "dedup"],
        "all",
    ),
    "销售总监": (["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view"], "all"),
    "市场": (["view", "export"], "all"),
    "只读": (["view", "export"], "all"),
    "财务": (["view"], "all"),  # finance reads the customers it invoices (ID numbers stay masked)
}


@pytest.mark.parametrize("model", ["customer", "contact"])
def test_default_roles_have_customer_grants(model):
    grants = RoleGrant.objects.filter(content_type__app_label="customers", content_type__model=model)
    assert {g.role.name: (g.actions, g.scope) for g in grants.select_related("role")} == EXPECTED


def test_grants_come_back_with_the_roles_after_a_flush():
    """A flush (test isolation, ``manage.py flush``) empties the role table; post_migrate puts the
    shipped roles back with the platform's and every module's grants."""
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.default_roles import ensure_default_roles
    from guanxi.users.models import Role

    with as_system():
        for role in Role.objects.all():
            role.is_system = False  # shipped roles refuse deletion; a flush bypasses delete()
            role.delete()
    assert not RoleGrant.objects.exists()
    from guanxi.core.models import ObjectChange

    logged = ObjectChange.objects.count()
    ensure_default_roles()
    grants = RoleGrant.objects.filter(content_type__app_label="customers", content_type__model="customer")
    assert {g.role.name: (g.actions, g.scope) for g in grants.select_related("role")} == EXPECTED
    # Seeding is nobody's edit: no change-log entries (they outlived flushes between tests and
    # showed up as seven unexplained "created" rows in the next test's history).
    assert ObjectChange.objects.count() == logged


def test_an_administrators_edit_stands_when_defaults_are_applied_again():
    """Defaults are applied once per role and entity: a later ``migrate`` (which applies the
    registry's defaults again) neither restores a narrowed grant nor a deleted one."""
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.default_roles import apply_registry_defaults
    from guanxi.users.models import Role

    rep = Role.objects.get(code="sales_rep")
    director = Role.objects.get(code="sales_director")
    with as_system():
        grant = RoleGrant.objects.get(role=rep, content_type__model="customer")
        grant.actions = ["view"]
        grant.save()
        RoleGrant.objects.filter(role=director, content_type__model="contact").delete()
    assert apply_registry_defaults() == 0
    assert RoleGrant.objects.get(role=rep, content_type__model="customer").actions == ["view"]
    assert not RoleGrant.objects.filter(role=director, content_type__model="contact").exists()


def test_a_renamed_role_keeps_receiving_defaults_by_its_code():
    """Roles are found by their stable code, not their (editable) Chinese name."""
    from guanxi.framework.testing.fixtures import as_system
    from guanxi.users.default_roles import apply_registry_defaults
    from guanxi.users.models import AppliedDefault, Role

    with as_system():
        rep = Role.objects.get(code="sales_rep")
        rep.name = "客户经理"
        rep.save()
        RoleGrant.objects.filter(role=rep, content_type__model="lead").delete()
        AppliedDefault.objects.filter(key="grant:sales_rep:customers.lead").delete()  # a new entity
        assert apply_registry_defaults() == 1
    grant = RoleGrant.objects.get(role=rep, content_type__model="lead")
    assert (grant.actions, grant.scope) == (["view", "add", "change", "claim"], "own")


def test_migration_gives_an_installed_administrator_role_the_dedup_verb():
    """An installed database applied the old defaults once: migration 0015 adds "dedup" to the
    administrator role's customer and contact grants, and takes it away when reversed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("guanxi.customers.migrations.0015_admin_dedup_grant")
    grants = RoleGrant.objects.filter(role__code="admin", content_type__app_label="customers")
    grants = grants.filter(content_type__model__in=["customer", "contact"])
    with as_system():
        for grant in grants:
            grant.actions = [a for a in grant.actions if a != "dedup"]
            grant.save(update_fields=["actions"])
    with as_system():  # the real models here (a migration's historical ones have no actor check)
        migration.add_dedup(apps, None)
        assert [("dedup" in g.actions) for g in grants.all()] == [True, True]  # .all(): read again
        migration.add_dedup(apps, None)  # twice: once
        assert all(g.actions.count("dedup") == 1 for g in grants.all())
        migration.remove_dedup(apps, None)
        assert not any("dedup" in g.actions for g in grants.all())


def test_migration_gives_the_installed_admin_role_the_dedup_verb_on_leads():
    """Leads got duplicate rules (issue 12): an installed database, whose administrator role got its
    lead grant before the ``dedup`` verb existed there, gets it from migration 0016 — once — and
    loses it when reversed; fresh installs get it from the registry's defaults."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("guanxi.customers.migrations.0016_lead_dedup_verb")
    grants = RoleGrant.objects.filter(role__code="admin", content_type__app_label="customers")
    grants = grants.filter(content_type__model="lead")
    assert [("dedup" in g.actions) for g in grants] == [True]  # the registry's default
    with as_system():
        for grant in grants:
            grant.actions = [a for a in grant.actions if a != "dedup"]
            grant.save(update_fields=["actions"])
    with as_system():  # the real models here (a migration's historical ones have no actor check)
        migration.add_dedup(apps, None)
        migration.add_dedup(apps, None)  # twice: once
        assert [g.actions.count("dedup") for g in grants.all()] == [1]
        migration.remove_dedup(apps, None)
        assert not any("dedup" in g.actions for g in grants.all())
