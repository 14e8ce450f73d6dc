"""List tables of follow-ups and tasks."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guanxi.activities.choices import PRIORITY_BADGES, TaskStatus
from guanxi.activities.models import FollowUp, Task
from guanxi.framework import fieldaccess
from guanxi.framework.tables import DateTimeColumn, EntityTable, linkify_name
from guanxi.framework.templatetags.ui import render_icon


def _customer_link(record: Any) -> str:
    customer = record.customer
    if customer is None:
        return "—"
    return format_html('<a href="{}">{}</a>', customer.get_absolute_url(), customer)


NOWRAP = {"td": {"class": "nowrap"}}


class FollowUpTable(EntityTable):
    occurred_at = DateTimeColumn(verbose_name=_("when"), attrs=NOWRAP)
    kind = tables.Column(verbose_name=_("kind"), attrs=NOWRAP)
    summary = tables.Column(accessor="pk", verbose_name=_("follow-up"), orderable=False)
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__name",))
    outcome = tables.Column(verbose_name=_("outcome"), attrs=NOWRAP)
    check_in = tables.Column(accessor="pk", verbose_name=_("check-in"), orderable=False)

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
            "check_in",
        )
        default_columns = (
            "occurred_at",
            "summary",
            "customer",
            "outcome",
            "next_follow_up_at",
            "check_in",
            "owner",
        )
        card_title = "summary"
        card_fields = ("occurred_at", "customer", "outcome", "check_in")

    def render_summary(self, value: Any, record: Any) -> Any:
        # "电话 · <content>": the kind leads the text; content hidden from the user is left out
        return linkify_name(fieldaccess.label(self.user, record), record)

    def value_summary(self, value: Any, record: Any) -> str:
        return fieldaccess.label(self.user, record)

    def render_customer(self, value: Any, record: Any) -> Any:
        return _customer_link(record)

    def render_check_in(self, value: Any, record: Any) -> Any:
        """A visit's check-in as a map link ("" without one, so the card leaves it out)."""
        if not record.has_location:
            return ""
        return format_html(
            '<a class="check-in-link nowrap" href="{}" target="_blank" rel="noopener noreferrer">'
            "{} {}, {}</a>",
            record.map_url,
            render_icon("map-pin"),
            f"{record.latitude:.5f}",
            f"{record.longitude:.5f}",
        )

    def value_check_in(self, value: Any, record: Any) -> str:
        return f"{record.latitude:.6f}, {record.longitude:.6f}" if record.has_location else ""


class TaskTable(EntityTable):
    title = tables.Column()
    status = tables.Column(verbose_name=_("status"), attrs=NOWRAP)
    due_at = DateTimeColumn(verbose_name=_("due"), attrs=NOWRAP)
    priority = tables.Column(verbose_name=_("priority"), attrs=NOWRAP)
    customer = tables.Column(verbose_name=_("customer"), order_by=("customer__name",))

    class Meta(EntityTable.Meta):
        model = Task
        fields = ("title", "status", "due_at", "priority", "customer", "remind_at", "done_at", "description")
        default_columns = ("title", "status", "due_at", "priority", "customer", "owner")
        card_title = "title"
        # Four fields keep a phone card short; the priority rides in the status cell (``render_status``)
        # so the owner fits — a manager looking at the team's tasks needs to know whose each one is.
        card_fields = ("due_at", "status", "customer", "owner")

    def render_title(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)

    def render_status(self, value: Any, record: Any) -> Any:
        """The status badge ("Overdue" for an open task past due), then — on a phone card only,
        where the priority has no cell of its own — the priority badge."""
        if record.status == TaskStatus.DONE:
            status = format_html('<span class="badge badge-green">{}</span>', value)
        elif record.due_at and record.due_at < timezone.now():
            status = format_html('<span class="badge badge-red">{}</span>', _("Overdue"))
        else:
            status = format_html('<span class="badge badge-blue">{}</span>', value)
        return format_html(
            '{}<span class="card-only-inline"> {}</span>', status, self.render_priority(None, record)
        )

    def value_status(self, value: Any, record: Any) -> str:
        return str(record.get_status_display())

    def render_priority(self, value: Any, record: Any) -> Any:
        return format_html(
            '<span class="badge badge-{}">{}</span>',
            PRIORITY_BADGES.get(record.priority, "slate"),
            record.get_priority_display(),
        )

    def value_priority(self, value: Any, record: Any) -> str:
        return str(record.get_priority_display())

    def render_customer(self, value: Any, record: Any) -> Any:
        return _customer_link(record)
