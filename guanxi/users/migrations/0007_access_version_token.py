"""The access version gets a random token drawn at every bump (``guanxi.users.access_version``)."""

import uuid

from django.db import migrations, models


def draw_token(apps, schema_editor):
    """The version row (pk 1) gets a token now, or is created with one: no read path writes."""
    AccessVersion = apps.get_model("users", "AccessVersion")
    if not AccessVersion.objects.filter(pk=1).update(token=uuid.uuid4().hex):
        AccessVersion.objects.create(pk=1, version=0, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0006_role_code_applied_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessversion",
            name="token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.RunPython(draw_token, migrations.RunPython.noop),
    ]
