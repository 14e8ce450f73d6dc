"""Field rules on a money field are kept under the field's name (``amount``), not its columns.

The role editor used to list a money field's concrete columns (``amount_amount``,
``amount_currency``), while tables, measures, the detail page and the approval summary looked a
rule up by the field's name, so such a rule missed most readers. This rewrites every stored rule
named after a column to the field's name; when a role holds several for one field the strictest
stays. The policy folds column names too (``fieldaccess.canonical_rules``), so the rewrite is a
tidy-up the code no longer depends on, and is not reversed.
"""

from django.db import migrations

STRICTNESS = {"readonly": 1, "masked": 2, "hidden": 3}  # as ``fieldaccess.STRICTNESS`` (frozen here)
SUFFIXES = ("_amount", "_currency", "_base")


def _money_names(model) -> dict[str, str]:
    """Column → money field name, read off the historical model: a ``MoneyField`` ``x`` is the
    three columns ``x_amount``, ``x_currency`` and ``x_base`` (the migration state keeps no
    ``MoneyField`` itself)."""
    columns = {f.name for f in model._meta.concrete_fields}
    out = {}
    for column in columns:
        if column.endswith("_amount"):
            name = column[: -len("_amount")]
            if {f"{name}_currency", f"{name}_base"} <= columns:
                out.update({f"{name}{suffix}": name for suffix in SUFFIXES})
    return out


def rename_money_rules(apps, schema_editor):
    FieldRule = apps.get_model("users", "FieldRule")
    ContentType = apps.get_model("contenttypes", "ContentType")
    names_of: dict[int, dict[str, str]] = {}
    for ct in ContentType.objects.filter(pk__in=FieldRule.objects.values("content_type_id").distinct()):
        try:
            model = apps.get_model(ct.app_label, ct.model)
        except LookupError:
            continue  # a type whose app is gone: its rules read nothing
        names_of[ct.pk] = _money_names(model)
    for rule in FieldRule.objects.order_by("pk"):
        name = names_of.get(rule.content_type_id, {}).get(rule.field_name)
        if name is None:
            continue
        kept = FieldRule.objects.filter(role_id=rule.role_id, content_type_id=rule.content_type_id, field_name=name).first()
        if kept is None:
            rule.field_name = name
            rule.save(update_fields=["field_name"])
        else:
            if STRICTNESS.get(rule.access, 0) > STRICTNESS.get(kept.access, 0):
                kept.access = rule.access
                kept.save(update_fields=["access"])
            rule.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0007_access_version_token"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(rename_money_rules, migrations.RunPython.noop)]
