"""Measures of the activities app (``guanxi.framework.measures``): follow-ups logged, by their date."""

from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import FollowUp
from guanxi.framework.measures import Measure, register_measure

register_measure(
    Measure(
        key="follow_ups",
        label=_("Follow-ups"),
        model=FollowUp,
        date_field="occurred_at",
        sum_field=None,
        condition=None,
        owner_field="owner",
        department_field="department",
        list_name="activities:followup_list",
    )
)
