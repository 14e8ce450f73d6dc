from django.db import migrations

from guanxi.customers.pool_roles import POOL_GRANTS, POOL_MODELS
from guanxi.users.default_roles import apply_module_grants


def grant_pools(apps, schema_editor):
    apply_module_grants(apps, "customers", POOL_GRANTS, POOL_MODELS)


class Migration(migrations.Migration):
    """The shipped roles get pools and pool rules (see guanxi/customers/pool_roles.py)."""

    dependencies = [("customers", "0008_public_pools")]

    operations = [migrations.RunPython(grant_pools, migrations.RunPython.noop)]
