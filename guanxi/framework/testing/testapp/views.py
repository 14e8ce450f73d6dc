import django_filters
import django_tables2 as tables

from guanxi.framework.filtersets import EntityFilterSet
from guanxi.framework.forms import EntityForm
from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.framework.testing.testapp.models import Gadget, Requisition
from guanxi.framework.views import EntityViews


class GadgetFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Gadget.Status.choices)
    search_fields = ("name", "code")

    class Meta:
        model = Gadget
        fields = ["status"]


class GadgetForm(EntityForm):
    class Meta:
        model = Gadget
        fields = [
            "name",
            "code",
            "price",
            "status",
            "phone",
            "list_price_amount",
            "list_price_currency",
            "owner",
        ]


class GadgetTable(EntityTable):
    name = tables.Column()
    list_price = MoneyColumn("list_price", verbose_name="list price")

    class Meta(EntityTable.Meta):
        model = Gadget
        fields = ("name", "code", "price", "status", "phone", "list_price")
        default_columns = ("name", "code", "price", "status", "phone", "list_price", "tags", "owner")

    def render_name(self, value, record):
        return linkify_name(value, record)


class GadgetViews(EntityViews):
    model = Gadget
    filterset = GadgetFilterSet
    form = GadgetForm
    table = GadgetTable
    bulk_edit_fields = ("status", "price")


class RequisitionFilterSet(EntityFilterSet):
    search_fields = ("title",)

    class Meta:
        model = Requisition
        fields = ["status"]


class RequisitionForm(EntityForm):
    class Meta:
        model = Requisition
        fields = [
            "title",
            "amount_amount",
            "amount_currency",
            "discount_percent",
            "customer",
            "status",
            "owner",
        ]


class RequisitionTable(EntityTable):
    title = tables.Column()

    class Meta(EntityTable.Meta):
        model = Requisition
        fields = ("title", "discount_percent", "status")
        default_columns = ("title", "discount_percent", "status", "owner")

    def render_title(self, value, record):
        return linkify_name(value, record)


class RequisitionViews(EntityViews):
    model = Requisition
    filterset = RequisitionFilterSet
    form = RequisitionForm
    table = RequisitionTable
    bulk_edit_fields = ("discount_percent",)
