import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from guanxi.framework.moneyfields import MoneyColumn
from guanxi.framework.tables import EntityTable, linkify_name
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategoryTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = ProductCategory
        fields = ("name", "name_en", "parent", "sort_order")
        default_columns = ("name", "name_en", "parent", "sort_order")

    def render_name(self, value, record):
        return linkify_name(value, record)


class ProductTable(EntityTable):
    sku = tables.Column()
    name = tables.Column()
    list_price = MoneyColumn("list_price", verbose_name=_("list price"))

    class Meta(EntityTable.Meta):
        model = Product
        fields = ("sku", "name", "name_en", "category", "unit", "list_price", "tax_rate", "is_active")
        default_columns = ("sku", "name", "category", "unit", "list_price", "tax_rate", "is_active")

    def render_name(self, value, record):
        return linkify_name(value, record)


class PriceListTable(EntityTable):
    name = tables.Column()

    class Meta(EntityTable.Meta):
        model = PriceList
        fields = ("name", "currency", "customer_level", "valid_from", "valid_until", "is_active")
        default_columns = (
            "name",
            "currency",
            "customer_level",
            "valid_from",
            "valid_until",
            "is_active",
            "owner",
        )

    def render_name(self, value, record):
        return linkify_name(value, record)


class PriceListItemTable(EntityTable):
    product = tables.Column()
    price = MoneyColumn("price", verbose_name=_("price"))

    class Meta(EntityTable.Meta):
        model = PriceListItem
        fields = ("price_list", "product", "price", "valid_from", "valid_until")
        default_columns = ("price_list", "product", "price", "valid_from", "valid_until")
        list_label = ("price_list", "product")

    def render_product(self, value, record):
        # the product, linked to this price (the price list has a column of its own)
        return linkify_name(value, record)
