"""Close dates that follow the stage's kind.

Until the stage form refused it, an administrator could turn a stage that held deals into a won or
lost stage (or back): its deals were then closed without a close date — missing from every
period's dashboard and from the board's recent-closed columns — or open with one. Deals in a won
or lost stage without ``closed_at`` get the moment they entered the stage (else their last
update), and the customers of those won read their newest win as ``last_won_at`` (the lifecycle
stage follows at the deal's next move); deals in an open stage lose a leftover ``closed_at``.
Nothing to undo on the way back.
"""

from django.db import migrations
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

OPEN = "open"
WON = "won"


def close_dates_follow_stage_kind(apps, schema_editor):
    Deal = apps.get_model("sales", "Deal")
    Customer = apps.get_model("customers", "Customer")
    db = schema_editor.connection.alias
    unstamped = Deal.objects.using(db).filter(closed_at=None).exclude(stage__kind=OPEN)
    won_by = set(unstamped.filter(stage__kind=WON).values_list("customer_id", flat=True))
    unstamped.update(closed_at=Coalesce(F("stage_entered_at"), F("updated_at")))
    Deal.objects.using(db).filter(stage__kind=OPEN).exclude(closed_at=None).update(closed_at=None)
    # the customers of the deals now won with a date: their last win reads the newest one
    latest = (
        Deal.objects.using(db)
        .filter(customer_id=OuterRef("pk"), stage__kind=WON)
        .order_by()
        .values("customer_id")
        .annotate(last=Max("closed_at"))
        .values("last")
    )
    Customer.objects.using(db).filter(pk__in=won_by).update(last_won_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_lead_dedup_verb"),
        ("sales", "0004_deal_team_to_record_shares"),
    ]

    operations = [migrations.RunPython(close_dates_follow_stage_kind, migrations.RunPython.noop)]
