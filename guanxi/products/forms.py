from guanxi.framework.forms import EntityForm
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategoryForm(EntityForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "name_en", "parent", "sort_order"]


class ProductForm(EntityForm):
    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "name_en",
            "category",
            "unit",
            "list_price_amount",
            "list_price_currency",
            "tax_rate",
            "is_active",
            "description",
            "owner",
        ]


class PriceListForm(EntityForm):
    class Meta:
        model = PriceList
        fields = [
            "name",
            "currency",
            "customer_level",
            "valid_from",
            "valid_until",
            "is_active",
            "notes",
            "owner",
        ]


class PriceListItemForm(EntityForm):
    class Meta:
        model = PriceListItem
        fields = ["price_list", "product", "price_amount", "price_currency", "valid_from", "valid_until"]
