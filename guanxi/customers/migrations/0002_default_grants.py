from django.db import migrations

from guanxi.users.default_roles import ALL_ACTIONS, grant_default

# role → (actions, scope), the same for customers and contacts
GRANTS = {
    "系统管理员": (ALL_ACTIONS, "all"),
    "销售总监": (["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "销售经理": (["view", "add", "change", "export", "assign"], "department_tree"),
    "销售代表": (["view", "add", "change"], "own"),
    "客服": (["view"], "all"),  # service agents serve every customer, so they see them all
    "市场": (["view", "export"], "all"),
    "只读": (["view", "export"], "all"),
}


def grant_customers(apps, schema_editor):
    for model in ("customer", "contact"):
        for role_name, (actions, scope) in GRANTS.items():
            grant_default(apps, role_name, "customers", model, list(actions), scope)


class Migration(migrations.Migration):
    """The shipped roles get customers and contacts (no field rules by default)."""

    dependencies = [("customers", "0001_initial"), ("users", "0004_audit_grants")]

    operations = [migrations.RunPython(grant_customers, migrations.RunPython.noop)]
