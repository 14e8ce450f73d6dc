"""List tables of follow-ups and tasks."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guanxi.activities.choices import PRIORITY_BADGES, TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.framework.tables import EntityTable, linkify_name


def _customer_link(record: Any) -> str:
    customer = record.customer
    if customer is None:
        return "—"
    return format_html('<a href="{}">{}</a>', customer.get_absolute_url(), customer)


class FollowUpTable(EntityTable):
    summary = tables.Column(accessor="pk", verbose_name=_("follow-up"), orderable=False)
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__name",))

    class Meta(EntityTable.Meta):
        model = FollowUp
        fields = (
            "occurred_at",
            "kind",
            "summary",
            "customer",
            "outcome",
            "next_step",
            "next_follow_up_at",
            "place",
        )
        default_columns = (
            "occurred_at",
            "kind",
            "summary",
            "customer",
            "outcome",
            "next_follow_up_at",
            "owner",
        )

    def render_summary(self, value: Any, record: Any) -> Any:
        return linkify_name(record, record)

    def value_summary(self, value: Any, record: Any) -> str:
        return str(record)

    def render_customer(self, value: Any, record: Any) -> Any:
        return _customer_link(record)


class TaskTable(EntityTable):
    title = tables.Column()
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__name",))

    class Meta(EntityTable.Meta):
        model = Task
        fields = ("title", "status", "due_at", "priority", "customer", "remind_at", "done_at", "description")
        default_columns = ("title", "status", "due_at", "priority", "customer", "owner")

    def render_title(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)

    def render_status(self, value: Any, record: Any) -> Any:
        if record.status == TaskStatus.DONE:
            return format_html('<span class="badge badge-green">{}</span>', value)
        if record.due_at and record.due_at < timezone.now():
            return format_html('<span class="badge badge-red">{}</span>', _("Overdue"))
        return format_html('<span class="badge badge-blue">{}</span>', value)

    def value_status(self, value: Any, record: Any) -> str:
        return str(record.get_status_display())

    def render_priority(self, value: Any, record: Any) -> Any:
        return format_html(
            '<span class="badge badge-{}">{}</span>', PRIORITY_BADGES.get(record.priority, "slate"), value
        )

    def value_priority(self, value: Any, record: Any) -> str:
        return str(record.get_priority_display())

    def render_customer(self, value: Any, record: Any) -> Any:
        return _customer_link(record)
