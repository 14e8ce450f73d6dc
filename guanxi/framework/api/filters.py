"""Filter backends of the API: django-filter's FilterSets (shared with the UI) and strict ordering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=-created_at,name``; an unknown field is a 400 (``errors.ordering``), not ignored,
    and so is a field hidden or masked for the reader. Pages stay stable under any order: the
    pager adds the primary key as the last key (``guanxi.framework.paginators.stable_order``).

    Without ``ordering_fields`` on the view, the orderable fields are the serializer's fields
    that are plain model columns (no JSON, no relations other than foreign-key ids)."""

    def get_default_valid_fields(
        self, queryset: Any, view: Any, context: Mapping[str, Any] | None = None
    ) -> list:
        serializer_class = view.get_serializer_class()
        model = queryset.model
        columns = {f.name: f for f in model._meta.concrete_fields if not isinstance(f, models.JSONField)}
        out = []
        for name, field in serializer_class(context=context or {}).fields.items():
            if getattr(field, "write_only", False):
                continue
            source = field.source if field.source not in (None, "") else name
            if source in columns:
                out.append((source, name))
        if "pk" not in {s for s, _n in out} and model._meta.pk.name not in {s for s, _n in out}:
            out.append((model._meta.pk.name, model._meta.pk.name))
        return out

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Sequence[str] | None:
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in params.split(",") if term.strip()]
        valid = dict(self.get_valid_fields(queryset, view, {"request": request}))
        # A field hidden or masked for the reader is not orderable: the order would tell its value.
        from guanxi.framework.fieldaccess import path_unreadable

        user = getattr(request, "user", None)
        valid = {s: n for s, n in valid.items() if not path_unreadable(user, queryset.model, s)}
        # Accept the API field name (what clients see) as well as the model field it maps to.
        by_name = {label: source for source, label in valid.items()} | {s: s for s in valid}
        bad = [t for t in terms if t.lstrip("-") not in by_name]
        if bad:
            raise serializers.ValidationError(
                {
                    self.ordering_param: [
                        _("Cannot order by %(fields)s. Choose from: %(valid)s.")
                        % {"fields": ", ".join(bad), "valid": ", ".join(sorted(set(valid.values())))}
                    ]
                }
            )
        return [("-" if t.startswith("-") else "") + by_name[t.lstrip("-")] for t in terms]
