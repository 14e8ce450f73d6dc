from django.db import migrations



def grant_audit(apps, schema_editor):
    # Default grants now come from the entity registry after migrate (users.default_roles.apply_registry_defaults).
    pass


class Migration(migrations.Migration):
    """System administrators read the global change log and the audit trail."""

    dependencies = [("users", "0003_default_roles")]

    operations = [migrations.RunPython(grant_audit, migrations.RunPython.noop)]
