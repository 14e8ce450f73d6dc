"""Pages of the platform entities, all from the generic machinery."""

from django.db.models import Count

from guanxi.core.filtersets import CustomFieldFilterSet, ExchangeRateFilterSet, TagFilterSet
from guanxi.core.forms import CustomFieldForm, ExchangeRateForm, TagForm
from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.core.tables import CustomFieldTable, ExchangeRateTable, TagTable
from guanxi.framework.views import EntityViews


class TagViews(EntityViews):
    model = Tag
    queryset = Tag.objects.annotate(usage=Count("items"))
    filterset = TagFilterSet
    form = TagForm
    table = TagTable
    bulk_edit_fields = ("color", "description")


class CustomFieldViews(EntityViews):
    model = CustomField
    queryset = CustomField.objects.select_related("content_type")
    filterset = CustomFieldFilterSet
    form = CustomFieldForm
    table = CustomFieldTable
    url_prefix = "settings/custom-fields"
    edit_template = "core/customfield_edit.html"
    bulk_edit_fields = ("required", "filterable", "searchable", "show_in_table", "group_name")
    detail_fields = (
        "content_type",
        "name",
        "label",
        "label_en",
        "type",
        "required",
        "choices",
        "help_text",
        "validation_min",
        "validation_max",
        "validation_regex",
        "group_name",
        "weight",
        "filterable",
        "searchable",
        "show_in_table",
    )


class ExchangeRateViews(EntityViews):
    model = ExchangeRate
    filterset = ExchangeRateFilterSet
    form = ExchangeRateForm
    table = ExchangeRateTable
    url_prefix = "settings/exchange-rates"
    bulk_edit_fields = ("note",)
