import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, TitleColumn, linkify_name
from guanxi.quotes.models import Quote


class QuoteTable(EntityTable):
    number = tables.Column()
    # The quote's own title: number and version have columns of their own (not its label again).
    title = TitleColumn()
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
        # On a phone: the title (a link, "(no title)" when empty), then what a rep looks for —
        # which quote, for whom, where it stands, how much.
        card_title = "title"
        card_fields = ("number", "customer", "status", "grand_total")
        # A row shows the number and the title in cells of their own.
        list_label = ("number", "title")

    def render_number(self, value, record):
        return linkify_name(value, record)
