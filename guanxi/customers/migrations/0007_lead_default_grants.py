from django.db import migrations



def grant_leads(apps, schema_editor):
    # Default grants now come from the entity registry after migrate (users.default_roles.apply_registry_defaults).
    pass


class Migration(migrations.Migration):
    """The shipped roles get leads, web forms and assignment rules (now declared in the entity registry: customers/entities.py)."""

    dependencies = [("customers", "0006_leads_capture_forms_assignment_rules"), ("users", "0004_audit_grants")]

    operations = [migrations.RunPython(grant_leads, migrations.RunPython.noop)]
