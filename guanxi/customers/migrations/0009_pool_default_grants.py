from django.db import migrations



def grant_pools(apps, schema_editor):
    # Default grants now come from the entity registry after migrate (users.default_roles.apply_registry_defaults).
    pass


class Migration(migrations.Migration):
    """The shipped roles get pools and pool rules (now declared in the entity registry: customers/entities.py)."""

    dependencies = [("customers", "0008_public_pools")]

    operations = [migrations.RunPython(grant_pools, migrations.RunPython.noop)]
