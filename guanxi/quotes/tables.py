import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.quotes.models import Quote


class QuoteTable(EntityTable):
    number = tables.Column()
    title = tables.Column()
    grand_total = MoneyColumn("grand_total", verbose_name=_("grand total"))

    class Meta(EntityTable.Meta):
        model = Quote
        fields = ("number", "version", "title", "deal", "customer", "status", "valid_until", "grand_total")
        default_columns = (
            "number",
            "version",
            "title",
            "customer",
            "status",
            "valid_until",
            "grand_total",
            "owner",
        )
        # On a phone: the label ("Q-… v1 <title>", a link even for an unnumbered draft), then what
        # a rep looks for — for whom, where it stands, how much.
        card_title = "title"
        card_fields = ("customer", "status", "grand_total")

    def render_title(self, value, record):
        return linkify_name(str(record), record)

    def value_title(self, value, record):
        return str(record)

    def render_number(self, value, record):
        return linkify_name(value, record)
