from django.db import migrations


def mask_id_numbers(apps, schema_editor):
    """ID numbers masked for the shipped roles: now an entity registry default (field_rules)."""


def places_to_codes(apps, schema_editor):
    """Give existing rows a region code from their free-text province/city/district, where the
    names match the bundled list exactly (anything else stays as it was, without a code)."""
    from guanxi.customers.regions import find_code

    Customer = apps.get_model("customers", "Customer")
    rows = Customer.objects.filter(region_code="").exclude(province="")
    found = {}
    for row in rows.only("pk", "province", "city", "district").iterator():
        key = (row.province, row.city, row.district)
        if key not in found:
            found[key] = find_code(*key)
        if found[key]:
            row.region_code = found[key]
            # a plain UPDATE: a migration has no actor, and the names do not change
            Customer.objects.filter(pk=row.pk).update(region_code=found[key])


class Migration(migrations.Migration):
    """Shipped roles (but 系统管理员) see ID card numbers masked; administrators get the customer
    settings; free-text places get codes."""

    dependencies = [("customers", "0004_region_id_number_settings"), ("users", "0004_audit_grants")]

    operations = [
        migrations.RunPython(mask_id_numbers, migrations.RunPython.noop),
        migrations.RunPython(places_to_codes, migrations.RunPython.noop),
    ]
