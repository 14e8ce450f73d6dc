"""Targets API (``/api/v1/targets/targets/``): list with filters, create, read, update, delete and
bulk, plus ``PUT …/grid/`` — one department's year × people table of one measure, saved like the
grid page (all cells or none).

The grid's rule decides who may write what, here too: after a write the rows must lie inside what
the writer may change (``services.ensure_manageable``), so a target for a department or a person
outside the departments the writer manages is refused (403) with the message naming the subject,
and nothing is written."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.targets import services
from guanxi.targets.api.serializers import GridInputSerializer, TargetSerializer
from guanxi.targets.models import PERIODS, Target


class TargetFilterSet(EntityFilterSet):
    """``year``, ``period`` (several), ``measure`` (several), ``user``, ``department`` and
    ``subject=department`` for departments' own targets only (``subject=user``: people's)."""

    period = django_filters.MultipleChoiceFilter(choices=PERIODS)
    measure = django_filters.MultipleChoiceFilter(choices=lambda: _measure_choices())
    subject = django_filters.ChoiceFilter(
        choices=[("user", gettext_lazy("user")), ("department", gettext_lazy("department"))],
        method="filter_subject",
        label=gettext_lazy("subject"),
    )

    class Meta:
        model = Target
        fields = ["year", "period", "measure", "user", "department"]

    def filter_subject(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        return queryset.filter(user__isnull=value == "department")


def _measure_choices() -> list[tuple[str, str]]:
    from guanxi.framework.measures import measures

    return [(m.key, str(m.label)) for m in measures()]


class TargetViewSet(EntityViewSet):
    queryset = Target.objects.select_related("user", "department")
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet

    def check_still_visible(self, instance: models.Model) -> None:
        """The grid's rule (``services.ensure_manageable``) instead of mere visibility: a rep may
        see their own target, but only a manager of its department may set it."""
        try:
            services.ensure_manageable([instance], self.request.user)  # type: ignore[list-item]
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from None
        super().check_still_visible(instance)

    @action(detail=False, methods=["put"], url_path="grid")
    def grid(self, request: Request) -> Response:
        """Save one department's month cells of one measure and year, as the grid page does:
        ``{"measure": "signed", "year": 2027, "department": 3, "cells": {"u12": {"m01":
        "10000"}, "d3": {…}}}`` (``u<user id>``: its members; ``d<department id>``: the
        department and its sub-departments). A blank month removes its target. 200 with the
        counts; 400 with the bad cells (``u12:m01``); 403 outside the departments you manage."""
        given = GridInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if data["measure"] not in dict(_measure_choices()):
            raise serializers.ValidationError({"measure": [_("There is no such measure.")]})
        department = next(
            (d for d in services.manageable_departments(request.user) if d.pk == data["department"]), None
        )
        if department is None:
            raise PermissionDenied(
                _("You may not set targets for this department: it is outside the departments you manage.")
            )
        subjects = services.grid_subjects(department)
        known = {s.key for s in subjects}
        unknown = [key for key in data["cells"] if key not in known]
        bad_periods = sorted({p for row in data["cells"].values() for p in row if p not in services.MONTHS})
        errors: dict[str, list[str]] = {}
        for key in unknown:
            errors[f"cells.{key}"] = [_("“%(key)s” is not a row of this department's grid.") % {"key": key}]
        for period in bad_periods:
            errors[f"cells.{period}"] = [_("Months are m01 to m12.")]
        if errors:
            raise serializers.ValidationError(errors)
        cells = {(key, period): raw for key, row in data["cells"].items() for period, raw in row.items()}
        try:
            with transaction.atomic():
                result = services.save_grid(
                    actor=request.user,
                    measure=data["measure"],
                    year=data["year"],
                    subjects=subjects,
                    cells=cells,
                )
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from None
        except services.Conflict:
            from guanxi.framework.api.errors import Conflict

            raise Conflict(_("Someone saved these targets at the same time: reload and try again.")) from None
        except DjangoValidationError as error:
            raise serializers.ValidationError({"cells": error.messages}) from None
        if result.errors:
            raise serializers.ValidationError({f"cells.{k}": [v] for k, v in result.errors.items()})
        return Response({"created": result.created, "updated": result.updated, "deleted": result.deleted})
