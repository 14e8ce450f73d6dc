"""Tables of the customer and contact lists."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables

from guanxi.customers.models import Contact, Customer
from guanxi.framework.tables import EntityTable, linkify_name


class CustomerTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = Customer
        fields = (
            "name", "short_name", "kind", "level", "stage", "status", "industry", "province", "city",
            "phone", "email", "source", "credit_code", "id_number",
        )  # fmt: skip
        default_columns = ("name", "kind", "level", "stage", "province", "phone", "owner", "tags")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)


class ContactTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = Contact
        fields = ("name", "title", "phone", "mobile", "email", "wechat_id", "birthday")
        default_columns = ("name", "title", "phone", "email", "owner", "tags")

    def render_name(self, value: Any, record: Any) -> Any:
        return linkify_name(value, record)
