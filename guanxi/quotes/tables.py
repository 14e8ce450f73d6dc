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
        # On a phone the card shows what a rep looks for: which quote, for whom, where it stands, how much.
        card_title = "title"
        card_fields = ("number", "customer", "status", "grand_total")

    def render_title(self, value, record):
        # The title alone: number and version have their own columns (and an unnumbered draft's
        # title is still a link to it).
        return linkify_name(value, record)

    def render_number(self, value, record):
        return linkify_name(value, record)
