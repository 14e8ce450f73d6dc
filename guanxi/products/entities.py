"""Products, their categories, price lists and prices: reference data every seller reads; the
系统管理员 and the sales director keep them."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import EntityType, Grant, MenuEntry, register_entity
from guanxi.products.api.serializers import (
    PriceListItemSerializer,
    PriceListSerializer,
    ProductCategorySerializer,
    ProductSerializer,
)
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory
from guanxi.products.views import PriceListItemViews, PriceListViews, ProductCategoryViews, ProductViews
from guanxi.users.default_roles import ALL_ACTIONS

GRANTS = {
    "admin": Grant(ALL_ACTIONS, "all"),
    "sales_director": Grant(["view", "add", "change", "export", "import"], "all"),
    "sales_manager": Grant(["view", "export"], "all"),
    "sales_rep": Grant(["view"], "all"),
    "service_agent": Grant(["view"], "all"),
    "marketing": Grant(["view", "export"], "all"),
    "read_only": Grant(["view", "export"], "all"),
}

register_entity(
    EntityType(
        model=Product,
        views=ProductViews,
        serializer=ProductSerializer,
        api_name="products",
        search=(("sku", 100), ("name", 90), ("name_en", 60)),
        menu=MenuEntry("sales", _("Products"), icon="package", weight=40),
        grants=GRANTS,
    )
)
register_entity(
    EntityType(
        model=ProductCategory,
        views=ProductCategoryViews,
        serializer=ProductCategorySerializer,
        api_name="categories",
        menu=MenuEntry("sales", _("Product categories"), icon="category", weight=45),
        grants=GRANTS,
    )
)
register_entity(
    EntityType(
        model=PriceList,
        views=PriceListViews,
        serializer=PriceListSerializer,
        api_name="price-lists",
        search=(("name", 100),),
        menu=MenuEntry("sales", _("Price lists"), icon="receipt", weight=50),
        grants=GRANTS,
    )
)
register_entity(
    EntityType(
        model=PriceListItem,
        views=PriceListItemViews,
        serializer=PriceListItemSerializer,
        api_name="price-list-items",
        menu=MenuEntry("sales", _("Prices"), icon="tags", weight=55),
        grants=GRANTS,
    )
)
