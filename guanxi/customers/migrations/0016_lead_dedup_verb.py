"""Leads get duplicate rules (``customers.leads.entities``: ``duplicates=``), so the ``dedup`` verb
(review the duplicates queue) exists on leads too, and the shipped administrator role gets it
where it already holds a lead grant.

As in 0015: a fresh install has no grants yet here (the registry's defaults, which name ``dedup``
for ``admin`` on leads, are applied after ``migrate``); an installed database applied the old
defaults once and will not apply them again, so the verb is added here.
"""

from django.db import migrations


def add_dedup(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    RoleGrant = apps.get_model("users", "RoleGrant")
    ContentType = apps.get_model("contenttypes", "ContentType")
    role = Role.objects.filter(code="admin").first()
    ct = ContentType.objects.filter(app_label="customers", model="lead").first()
    grant = RoleGrant.objects.filter(role=role, content_type=ct).first() if role and ct else None
    if grant is not None and "dedup" not in grant.actions:
        grant.actions = [*grant.actions, "dedup"]
        grant.save(update_fields=["actions"])
        from guanxi.users.access_version import bump_org_version

        bump_org_version()  # cached access snapshots must see the new verb


def remove_dedup(apps, schema_editor):
    RoleGrant = apps.get_model("users", "RoleGrant")
    for grant in RoleGrant.objects.filter(
        content_type__app_label="customers", content_type__model="lead", role__code="admin"
    ):
        if "dedup" in grant.actions:
            grant.actions = [a for a in grant.actions if a != "dedup"]
            grant.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0015_admin_dedup_grant"),
        ("users", "0007_access_version_token"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="lead",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [("claim_lead", "Claim"), ("dedup_lead", "Review duplicates")],
                "verbose_name": "lead",
                "verbose_name_plural": "leads",
            },
        ),
        migrations.RunPython(add_dedup, remove_dedup),
    ]
