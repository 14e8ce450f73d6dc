"""Tables of leads, web forms and assignment rules."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables

from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.tables import EntityTable, linkify_name


class LeadTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = Lead
        fields = (
            "name", "company", "title", "phone", "email", "province", "city", "source", "status",
            "utm_campaign", "assigned_at",
        )  # fmt: skip
        default_columns = ("name", "company", "phone", "source", "status", "owner", "created_at")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


class LeadCaptureFormTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = LeadCaptureForm
        fields = ("name", "active", "default_source", "assignment_rule", "department")
        default_columns = ("name", "active", "assignment_rule", "department")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


class AssignmentRuleTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = AssignmentRule
        fields = ("name", "priority", "active", "method", "department", "max_open_leads")
        default_columns = ("name", "priority", "active", "method", "department", "max_open_leads")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)
