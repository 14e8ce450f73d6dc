from django.db import migrations

from guanxi.activities.roles import GRANTS, MODELS
from guanxi.users.default_roles import apply_module_grants


def grant_activities(apps, schema_editor):
    apply_module_grants(apps, "activities", GRANTS, MODELS)


class Migration(migrations.Migration):
    """The shipped roles get follow-ups and tasks (see guanxi/activities/roles.py)."""

    dependencies = [("activities", "0001_initial"), ("customers", "0002_default_grants")]

    operations = [migrations.RunPython(grant_activities, migrations.RunPython.noop)]
