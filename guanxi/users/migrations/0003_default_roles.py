from django.db import migrations

from guanxi.users.default_roles import create_default_roles


class Migration(migrations.Migration):
    """Ship the seven default roles (系统管理员 … 只读) with grants on the platform's entity types."""

    dependencies = [
        ("users", "0002_role_fieldrule_rolegrant"),
        ("core", "0003_recordshare"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_default_roles, migrations.RunPython.noop)]
