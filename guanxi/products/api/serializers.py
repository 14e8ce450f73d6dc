from guanxi.framework.api.serializers import EntitySerializer
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategorySerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = ProductCategory
        fields = ["name", "name_en", "parent", "sort_order"]


class ProductSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Product
        fields = [
            "sku",
            "name",
            "name_en",
            "category",
            "unit",
            "list_price",
            "tax_rate",
            "is_active",
            "description",
        ]


class PriceListSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = PriceList
        fields = ["name", "currency", "customer_level", "valid_from", "valid_until", "is_active", "notes"]


class PriceListItemSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = PriceListItem
        fields = ["price_list", "product", "price", "valid_from", "valid_until"]
