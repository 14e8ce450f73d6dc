"""Endpoints of users, departments and ``me``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.framework.api.permissions import TokenScopePermission
from guanxi.framework.api.schema import EntityAutoSchema
from guanxi.framework.api.viewsets import ReadOnlyEntityViewSet
from guanxi.users.api.serializers import DepartmentSerializer, MeSerializer, UserSerializer
from guanxi.users.models import Department, User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    department = django_filters.ModelMultipleChoiceFilter(
        queryset=Department.objects.all(), label=_("Department")
    )

    class Meta:
        model = User
        fields = ["is_active", "department", "manager"]

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(phone__icontains=value)
        )


class DepartmentFilterSet(django_filters.FilterSet):
    class Meta:
        model = Department
        fields = ["parent", "manager"]


class UserViewSet(ReadOnlyEntityViewSet):
    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet


class DepartmentViewSet(ReadOnlyEntityViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet


class MeView(APIView):
    """The signed-in user's own profile (any user may read their own, whatever their permissions)."""

    permission_classes = [TokenScopePermission]
    app_label = "users"
    schema = EntityAutoSchema()

    @extend_schema(responses=MeSerializer)
    def get(self, request: Any) -> Response:
        user = User.objects.select_related("department", "manager").get(pk=request.user.pk)
        return Response(MeSerializer(user, context={"request": request}).data)
