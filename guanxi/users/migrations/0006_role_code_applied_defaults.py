from django.db import migrations, models

ROLE_CODES = {
    "系统管理员": "admin",
    "销售总监": "sales_director",
    "销售经理": "sales_manager",
    "销售代表": "sales_rep",
    "客服": "service_agent",
    "市场": "marketing",
    "只读": "read_only",
}


def codes_and_markers(apps, schema_editor):
    """Give the shipped roles their codes, and record the grants and field rules they already
    hold as applied, so the registry's defaults never overwrite what an installation has."""
    Role = apps.get_model("users", "Role")
    RoleGrant = apps.get_model("users", "RoleGrant")
    FieldRule = apps.get_model("users", "FieldRule")
    AppliedDefault = apps.get_model("users", "AppliedDefault")
    for role in Role.objects.filter(is_system=True, name__in=ROLE_CODES):
        role.code = ROLE_CODES[role.name]
        role.save(update_fields=["code"])
    keys = set()
    for grant in RoleGrant.objects.filter(role__code__isnull=False).select_related("role", "content_type"):
        ct = grant.content_type
        keys.add(f"grant:{grant.role.code}:{ct.app_label}.{ct.model}")
    for rule in FieldRule.objects.filter(role__code__isnull=False).select_related("role", "content_type"):
        ct = rule.content_type
        keys.add(f"field:{rule.role.code}:{ct.app_label}.{ct.model}.{rule.field_name}")
    AppliedDefault.objects.bulk_create([AppliedDefault(key=k) for k in sorted(keys)], ignore_conflicts=True)


class Migration(migrations.Migration):
    """Roles get a stable code; default grants move to the entity registry (applied after migrate)."""

    dependencies = [("users", "0005_access_version")]

    operations = [
        migrations.AddField(
            model_name="role",
            name="code",
            field=models.CharField(
                blank=True, editable=False, max_length=40, null=True, unique=True, verbose_name="code"
            ),
        ),
        migrations.CreateModel(
            name="AppliedDefault",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=200, unique=True)),
            ],
            options={"verbose_name": "applied default", "default_permissions": ()},
        ),
        migrations.RunPython(codes_and_markers, migrations.RunPython.noop),
    ]
