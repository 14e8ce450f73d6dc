"""FilterSets of the platform entities (used by list pages and the API alike)."""

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.core.models.customfields import CustomFieldType
from guanxi.core.models.tags import COLOR_CHOICES
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.framework.money import currency_choices


class TagFilterSet(EntityFilterSet):
    color = django_filters.MultipleChoiceFilter(choices=COLOR_CHOICES, label=_("Colour"))
    search_fields = ("name", "slug", "description")

    class Meta:
        model = Tag
        fields = ["color"]


class CustomFieldFilterSet(EntityFilterSet):
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.all(), label=_("Entity type")
    )
    type = django_filters.MultipleChoiceFilter(choices=CustomFieldType.choices, label=_("Type"))
    search_fields = ("name", "label", "label_en")

    class Meta:
        model = CustomField
        fields = ["content_type", "type", "required", "filterable", "searchable"]


class ExchangeRateFilterSet(EntityFilterSet):
    currency = django_filters.MultipleChoiceFilter(choices=(), label=_("Currency"))
    valid_from = django_filters.DateFromToRangeFilter(label=_("Valid from"))
    search_fields = ("currency", "note")

    class Meta:
        model = ExchangeRate
        fields = ["currency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the offered currencies are settings, read per request (django-filter wants a list)
        self.filters["currency"].extra["choices"] = currency_choices()
