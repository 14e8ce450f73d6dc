import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import Contract, Order
from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, TitleColumn, linkify_name


class ContractTable(EntityTable):
    number = tables.Column()
    # The contract's own title: the number has a column of its own (not its label again).
    title = TitleColumn()
    amount = MoneyColumn("amount", verbose_name=_("amount"))

    class Meta(EntityTable.Meta):
        model = Contract
        fields = (
            "number",
            "title",
            "customer",
            "deal",
            "status",
            "signed_on",
            "starts_on",
            "ends_on",
            "amount",
        )
        default_columns = ("number", "title", "customer", "status", "signed_on", "ends_on", "amount", "owner")
        # On a phone: the title (a link), then which contract, for whom, where it stands, how much
        # and (a manager sees the team's) whose.
        card_title = "title"
        card_fields = ("number", "customer", "status", "amount", "owner")
        # A row shows the number and the title in cells of their own.
        list_label = ("number", "title")

    def render_number(self, value, record):
        return linkify_name(value, record)


class OrderTable(EntityTable):
    number = tables.Column()
    total = MoneyColumn("total", verbose_name=_("total"))

    class Meta(EntityTable.Meta):
        model = Order
        fields = ("number", "customer", "contract", "order_date", "channel", "status", "total")
        default_columns = ("number", "customer", "order_date", "channel", "status", "total", "owner")
        card_fields = ("customer", "order_date", "total")

    def render_number(self, value, record):
        return linkify_name(value, record)
