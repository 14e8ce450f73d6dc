"""Tables of the organisation pages."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.users.models import Department, Role, User


class DepartmentTable(EntityTable):
    name = tables.Column(verbose_name=_("Name"), order_by=("path",))
    members = tables.Column(verbose_name=_("Members"), accessor="member_count", orderable=True, default=0)

    class Meta(EntityTable.Meta):
        model = Department
        fields = ("name", "name_en", "parent", "manager", "order")
        default_columns = ("name", "manager", "members", "order")

    def render_name(self, value: Any, record: Department) -> str:
        # The tree shows as indentation (no CSS needed); the list is ordered by path, so children
        # follow their parent.
        if not record.depth:
            return linkify_name(record, record)
        pad = "\u00a0\u00a0\u00a0" * (record.depth - 1)
        return format_html('<span class="muted">{}└\u00a0</span>{}', pad, linkify_name(record, record))


class UserTable(EntityTable):
    # display_name: the full name, or the user name for accounts without one (exports too)
    name = tables.Column(verbose_name=_("Name"), accessor="display_name", order_by=("name", "username"))
    roles = tables.Column(verbose_name=_("Roles"), accessor="pk", orderable=False)
    is_active = tables.Column(verbose_name=_("Status"))

    class Meta(EntityTable.Meta):
        model = User
        fields = ("name", "username", "email", "department", "manager", "job_title", "phone", "is_active")
        default_columns = ("name", "username", "department", "manager", "job_title", "roles", "is_active")

    def render_name(self, value: Any, record: User) -> str:
        return linkify_name(record.display_name, record)

    def render_roles(self, record: User) -> str:
        return format_html_join(
            " ", '<span class="badge badge-indigo">{}</span>', ((r,) for r in record.roles.all())
        )

    def value_roles(self, record: User) -> str:
        return ", ".join(str(r) for r in record.roles.all())

    def render_is_active(self, value: bool) -> str:
        if value:
            return format_html('<span class="badge badge-green">{}</span>', _("Active"))
        return format_html('<span class="badge badge-slate">{}</span>', _("Deactivated"))

    def value_is_active(self, value: bool) -> str:
        return str(_("Active") if value else _("Deactivated"))


class RoleTable(EntityTable):
    name = tables.Column(verbose_name=_("Name"))
    members = tables.Column(verbose_name=_("Users"), accessor="member_count", orderable=True, default=0)
    is_system = tables.BooleanColumn(verbose_name=_("Shipped default"))

    class Meta(EntityTable.Meta):
        model = Role
        fields = ("name", "name_en", "description", "is_system")
        default_columns = ("name", "description", "members", "is_system")

    def render_name(self, value: Any, record: Role) -> str:
        return linkify_name(record.display_name, record)
