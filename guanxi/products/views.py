"""Pages of products, categories, price lists and their prices."""

from guanxi.framework.views import EntityViews
from guanxi.products.filtersets import (
    PriceListFilterSet,
    PriceListItemFilterSet,
    ProductCategoryFilterSet,
    ProductFilterSet,
)
from guanxi.products.forms import PriceListForm, PriceListItemForm, ProductCategoryForm, ProductForm
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory
from guanxi.products.tables import PriceListItemTable, PriceListTable, ProductCategoryTable, ProductTable


class ProductCategoryViews(EntityViews):
    model = ProductCategory
    filterset = ProductCategoryFilterSet
    form = ProductCategoryForm
    table = ProductCategoryTable
    url_prefix = "product-categories"
    bulk_edit_fields = ("parent", "sort_order")


class ProductViews(EntityViews):
    model = Product
    queryset = Product.objects.select_related("category__parent")
    filterset = ProductFilterSet
    form = ProductForm
    table = ProductTable
    bulk_edit_fields = ("category", "is_active", "tax_rate")


class PriceListViews(EntityViews):
    model = PriceList
    filterset = PriceListFilterSet
    form = PriceListForm
    table = PriceListTable
    url_prefix = "price-lists"
    bulk_edit_fields = ("is_active", "customer_level")


class PriceListItemViews(EntityViews):
    model = PriceListItem
    queryset = PriceListItem.objects.select_related("price_list", "product")
    filterset = PriceListItemFilterSet
    form = PriceListItemForm
    table = PriceListItemTable
    url_prefix = "price-list-items"
    bulk_edit_fields = ("valid_from", "valid_until")
