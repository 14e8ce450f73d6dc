from django.db import migrations

from guanxi.customers.roles import LEAD_GRANTS, LEAD_MODELS, LEAD_SETUP_GRANTS, LEAD_SETUP_MODELS
from guanxi.users.default_roles import apply_module_grants


def grant_leads(apps, schema_editor):
    apply_module_grants(apps, "customers", LEAD_GRANTS, LEAD_MODELS)
    apply_module_grants(apps, "customers", LEAD_SETUP_GRANTS, LEAD_SETUP_MODELS)


class Migration(migrations.Migration):
    """The shipped roles get leads, web forms and assignment rules (see guanxi/customers/roles.py)."""

    dependencies = [("customers", "0006_leads_capture_forms_assignment_rules"), ("users", "0004_audit_grants")]

    operations = [migrations.RunPython(grant_leads, migrations.RunPython.noop)]
