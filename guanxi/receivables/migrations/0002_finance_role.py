"""The shipped 财务 (finance) role on an existing install (a fresh one gets it with the others
from ``users.default_roles``); its grants come from the entity registry after migrate."""

from django.db import migrations


def create_finance_role(apps, schema_editor):
    Role = apps.get_model("users", "Role")
    if not Role.objects.exists() or Role.objects.filter(code="finance").exists():
        return  # a fresh database: post_migrate creates every shipped role
    # users 0003 creates the shipped roles from the current list (财务 included, without a code on
    # a database migrated from scratch): give that one its code; otherwise create it.
    seeded = Role.objects.filter(name="财务", is_system=True).filter(code__isnull=True).first()
    seeded = seeded or Role.objects.filter(name="财务", is_system=True, code="").first()
    if seeded is not None:
        seeded.code = "finance"
        seeded.save(update_fields=["code"])
        return
    name = "财务" if not Role.objects.filter(name="财务").exists() else "财务（系统）"
    Role.objects.create(
        code="finance",
        name=name,
        name_en="Finance",
        description="登记与确认回款，审批开票申请并开具发票",
        is_system=True,
    )


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial"), ("users", "0006_role_code_applied_defaults")]

    operations = [migrations.RunPython(create_finance_role, migrations.RunPython.noop)]
