import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.receivables.models import InvoiceRequest, Receipt


class ReceiptTable(EntityTable):
    number = tables.Column()
    amount = MoneyColumn("amount", verbose_name=_("amount"))

    class Meta(EntityTable.Meta):
        model = Receipt
        fields = (
            "number",
            "contract",
            "customer",
            "received_on",
            "amount",
            "method",
            "payer",
            "reference",
            "status",
        )
        default_columns = (
            "number",
            "contract",
            "customer",
            "received_on",
            "amount",
            "method",
            "status",
            "owner",
        )
        card_fields = ("customer", "received_on", "amount", "status")

    def render_number(self, value, record):
        return linkify_name(value, record)


class InvoiceRequestTable(EntityTable):
    number = tables.Column()
    amount = MoneyColumn("amount", verbose_name=_("amount"))

    class Meta(EntityTable.Meta):
        model = InvoiceRequest
        fields = (
            "number",
            "contract",
            "customer",
            "kind",
            "title",
            "amount",
            "requested_on",
            "status",
            "invoice_number",
            "invoice_date",
        )
        default_columns = (
            "number",
            "contract",
            "customer",
            "kind",
            "amount",
            "status",
            "invoice_number",
            "owner",
        )
        card_fields = ("customer", "kind", "amount", "status")

    def render_number(self, value, record):
        return linkify_name(value, record)
