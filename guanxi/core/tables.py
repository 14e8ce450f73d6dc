"""Tables of the platform entities."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.framework.tables import EntityTable, linkify_name


class TagTable(EntityTable):
    name = tables.Column(verbose_name=_("Name"))
    usage = tables.Column(verbose_name=_("Used by"), accessor="usage", orderable=True, default=0)

    class Meta(EntityTable.Meta):
        model = Tag
        fields = ("name", "slug", "color", "description")
        default_columns = ("name", "color", "description", "usage")

    def render_name(self, value, record):
        return linkify_name(value, record)

    def render_color(self, value, record):
        return format_html('<span class="badge badge-{}">{}</span>', record.color, record.get_color_display())


class CustomFieldTable(EntityTable):
    label = tables.Column(verbose_name=_("Label"))
    content_type = tables.Column(verbose_name=_("Entity type"), order_by=("content_type__model",))

    class Meta(EntityTable.Meta):
        model = CustomField
        fields = ("label", "name", "content_type", "type", "required", "filterable", "searchable", "weight")
        default_columns = ("label", "name", "content_type", "type", "required", "filterable", "searchable")

    def render_label(self, value, record):
        from guanxi.framework.customfield_checks import problem_summary, reader_problems

        link = linkify_name(record.display_label, record)
        problems = reader_problems(record)
        if not problems:
            return link
        # a definition the entity's pages skip (written before the checks, or by SQL): say so here
        return format_html(
            '{} <span class="badge badge-red" title="{}">{}</span>',
            link,
            problem_summary(problems),
            _("Broken"),
        )

    def render_content_type(self, value, record):
        model = value.model_class()
        return str(model._meta.verbose_name).capitalize() if model else value.model


class ExchangeRateTable(EntityTable):
    summary = tables.Column(
        verbose_name=_("Exchange rate"), accessor="pk", order_by=("currency", "-valid_from")
    )

    class Meta(EntityTable.Meta):
        model = ExchangeRate
        fields = ("currency", "rate", "valid_from", "note")
        # "1 USD = 7.1234 CNY" names the currency; the date has its own column.
        default_columns = ("summary", "valid_from", "note")
        list_label = ("rate_text",)

    def render_summary(self, value, record):
        return linkify_name(record.rate_text, record)

    def value_summary(self, value, record):
        return record.rate_text
