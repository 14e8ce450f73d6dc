"""API filters of the change log (tags and custom fields use ``guanxi.core.filtersets``)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import ObjectChange


class ContentTypeLabelField(forms.CharField):
    """Form field: ``app_label.model`` → ContentType (an unknown type is a field error)."""

    def clean(self, value: Any) -> ContentType | None:
        value = super().clean(value)
        if not value:
            return None
        app_label, _sep, model = value.lower().partition(".")
        try:
            return ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise forms.ValidationError(
                _("Unknown entity type “%(value)s” (give app_label.model, e.g. core.tag).") % {"value": value}
            ) from None


class ContentTypeFilter(django_filters.Filter):
    field_class = ContentTypeLabelField


class ObjectChangeFilterSet(django_filters.FilterSet):
    """``object_type=core.tag&object_id=3`` gives a record's history, including the changes of its
    child records (those logged with it as ``related_object``)."""

    object_type = ContentTypeFilter(method="filter_object", label=_("Entity type"))
    object_id = django_filters.NumberFilter(
        method="filter_object", label=_("Record id"), min_value=1, max_value=2**63 - 1
    )
    action = django_filters.MultipleChoiceFilter(
        choices=ObjectChange.ActionChoices.choices, label=_("Action")
    )
    source = django_filters.CharFilter(label=_("Source"))
    user = django_filters.NumberFilter(
        field_name="user_id", label=_("User"), min_value=1, max_value=2**63 - 1
    )
    request_id = django_filters.UUIDFilter(label=_("Request id"))
    time_after = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte", label=_("From"))
    time_before = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte", label=_("To"))

    class Meta:
        model = ObjectChange
        fields: list[str] = []

    def filter_object(self, qs: models.QuerySet, name: str, value: Any) -> models.QuerySet:
        # Both parameters are applied together, once (this method runs for each that is given).
        if name == "object_id" and self.form.cleaned_data.get("object_type") is not None:
            return qs
        ct = self.form.cleaned_data.get("object_type")
        object_id = self.form.cleaned_data.get("object_id")
        if ct is None:
            return qs.filter(changed_object_id=int(object_id))
        if object_id is None:
            return qs.filter(models.Q(changed_object_type=ct) | models.Q(related_object_type=ct))
        return qs.filter(
            models.Q(changed_object_type=ct, changed_object_id=int(object_id))
            | models.Q(related_object_type=ct, related_object_id=int(object_id))
        )
