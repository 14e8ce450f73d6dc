"""FilterSets of the organisation pages (departments, users, roles), shared with saved views."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.framework.filtersets import BOOLEAN_CHOICES, EntityFilterSet
from guanxi.users.models import Department, Role, User


class DepartmentFilterSet(EntityFilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Parent department"))
    manager = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True), label=_("Manager")
    )
    search_fields = ("name", "name_en")

    class Meta:
        model = Department
        fields = ["parent", "manager"]


class UserFilterSet(EntityFilterSet):
    department = django_filters.ModelMultipleChoiceFilter(
        queryset=Department.objects.all(), label=_("Department")
    )
    role = django_filters.ModelMultipleChoiceFilter(
        field_name="roles", queryset=Role.objects.all(), label=_("Role"), distinct=True
    )
    is_active = django_filters.TypedChoiceFilter(
        choices=BOOLEAN_CHOICES, coerce=lambda v: v == "true", label=_("Active")
    )
    search_fields = ("username", "name", "email", "phone", "job_title")

    class Meta:
        model = User
        fields = ["department", "is_active"]


class RoleFilterSet(EntityFilterSet):
    search_fields = ("name", "name_en", "description")

    class Meta:
        model = Role
        fields: list[str] = []
