from django.db import migrations

from guanxi.users.default_roles import grant_default


def grant_audit(apps, schema_editor):
    for model in ("objectchange", "auditevent"):
        grant_default(apps, "系统管理员", "core", model, ["view", "export"], "all")


class Migration(migrations.Migration):
    """System administrators read the global change log and the audit trail."""

    dependencies = [("users", "0003_default_roles")]

    operations = [migrations.RunPython(grant_audit, migrations.RunPython.noop)]
