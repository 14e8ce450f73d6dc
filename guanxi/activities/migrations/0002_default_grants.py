from django.db import migrations



def grant_activities(apps, schema_editor):
    # Default grants now come from the entity registry after migrate (users.default_roles.apply_registry_defaults).
    pass


class Migration(migrations.Migration):
    """The shipped roles get follow-ups and tasks (now declared in the entity registry: activities/entities.py)."""

    dependencies = [("activities", "0001_initial"), ("customers", "0002_default_grants")]

    operations = [migrations.RunPython(grant_activities, migrations.RunPython.noop)]
