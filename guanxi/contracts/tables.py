import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import Contract, Order
from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name


class ContractTable(EntityTable):
    number = tables.Column()
    title = tables.Column()
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
        card_fields = ("customer", "status", "amount", "owner")  # a manager sees the team's

    def render_number(self, value, record):
        return linkify_name(value, record)

    def render_title(self, value, record):
        return linkify_name(str(record), record)

    def value_title(self, value, record):
        return str(record)


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
