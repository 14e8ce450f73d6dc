from django.db import migrations



def grant_customers(apps, schema_editor):
    # Default grants now come from the entity registry after migrate (users.default_roles.apply_registry_defaults).
    pass


class Migration(migrations.Migration):
    """The shipped roles get customers and contacts (now declared in the entity registry: customers/entities.py)."""

    dependencies = [("customers", "0001_initial"), ("users", "0004_audit_grants")]

    operations = [migrations.RunPython(grant_customers, migrations.RunPython.noop)]
