"""The shipped administrator role gets the new ``dedup`` verb (review duplicates) on customers
and contacts where it already holds a grant.

A fresh install has no grants yet at this point: the entity registry's defaults
(``customers.entities.CUSTOMER_GRANTS``, which name ``dedup`` for ``admin``) are applied after
``migrate``. An installed database applied the old defaults once (``AppliedDefault``) and will
not apply them again, so the verb is added here. Other roles are left as administrators set them.
"""

from django.db import migrations

LABELS = (("customers", "customer"), ("customers", "contact"))


def add_dedup(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    RoleGrant = apps.get_model("users", "RoleGrant")
    ContentType = apps.get_model("contenttypes", "ContentType")
    role = Role.objects.filter(code="admin").first()
    if role is None:
        return
    changed = False
    for app_label, model in LABELS:
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        grant = RoleGrant.objects.filter(role=role, content_type=ct).first() if ct else None
        if grant is not None and "dedup" not in grant.actions:
            grant.actions = [*grant.actions, "dedup"]
            grant.save(update_fields=["actions"])
            changed = True
    if changed:
        from guanxi.users.access_version import bump_org_version

        bump_org_version()  # cached access snapshots must see the new verb


def remove_dedup(apps, schema_editor):
    RoleGrant = apps.get_model("users", "RoleGrant")
    for grant in RoleGrant.objects.filter(content_type__app_label="customers", role__code="admin"):
        if "dedup" in grant.actions:
            grant.actions = [a for a in grant.actions if a != "dedup"]
            grant.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0014_dedup_verb"),
        ("users", "0007_access_version_token"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_dedup, remove_dedup)]
