from django.db import migrations

from guanxi.customers.roles import GRANTS, MODELS
from guanxi.users.default_roles import apply_module_grants


def grant_customers(apps, schema_editor):
    apply_module_grants(apps, "customers", GRANTS, MODELS)


class Migration(migrations.Migration):
    """The shipped roles get customers and contacts (see guanxi/customers/roles.py)."""

    dependencies = [("customers", "0001_initial"), ("users", "0004_audit_grants")]

    operations = [migrations.RunPython(grant_customers, migrations.RunPython.noop)]
