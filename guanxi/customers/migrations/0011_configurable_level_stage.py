import guanxi.core.choices
import guanxi.customers.choices
from django.db import migrations, models


def seed_options(apps, schema_editor):
    """The shipped levels (A–D) and stages (潜在, 成交, 复购, 流失), unless a list has rows already;
    the default roles read the lists and administrators edit them."""
    from guanxi.core.choices import seed_defaults
    from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST

    seed_defaults(apps, names=[LEVEL_LIST, STAGE_LIST])


class Migration(migrations.Migration):
    """Customer level and lifecycle stage become configurable lists (core.ChoiceOption); a level
    code can be up to 20 characters."""

    dependencies = [
        ("customers", "0010_bench_indexes"),
        ("core", "0006_choiceoption"),
        ("users", "0004_audit_grants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="level",
            field=guanxi.core.choices.ChoiceListField(
                blank=True,
                choices=guanxi.customers.choices.level_choices,
                list_name="customers.customer.level",
                max_length=20,
                verbose_name="level",
            ),
        ),
        migrations.AlterField(
            model_name="customer",
            name="stage",
            field=guanxi.core.choices.ChoiceListField(
                choices=guanxi.customers.choices.stage_choices,
                default="prospect",
                list_name="customers.customer.stage",
                max_length=20,
                verbose_name="lifecycle stage",
            ),
        ),
        migrations.AlterField(
            model_name="poolrule",
            name="levels",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Customer level codes the rule applies to; empty = every level.",
                verbose_name="customer levels",
            ),
        ),
        migrations.RunPython(seed_options, migrations.RunPython.noop),
    ]
