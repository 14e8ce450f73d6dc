"""Migration customers.0002 gives the shipped roles their customer and contact grants."""

from __future__ import annotations

import pytest

from guanxi.users.models import RoleGrant

pytestmark = pytest.mark.django_db

EXPECTED = {
    "系统管理员": (["view", "add", "change", "delete", "export", "import", "assign", "reveal"], "all"),
    "销售总监": (["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view"], "all"),
    "市场": (["view", "export"], "all"),
    "只读": (["view", "export"], "all"),
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
    ensure_default_roles()
    grants = RoleGrant.objects.filter(content_type__app_label="customers", content_type__model="customer")
    assert {g.role.name: (g.actions, g.scope) for g in grants.select_related("role")} == EXPECTED
