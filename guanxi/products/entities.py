"""Products, their categories, price lists and prices: reference data every seller reads; the
系统管理员 and the sales director keep them."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import EntityType, Grant, MenuEntry, register_entity
from guanxi.framework.importing import ImportSpec
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

PRODUCT_IMPORTS = ImportSpec(
    order=40,
    synonyms={
        "sku": ("编码", "产品编码", "货号", "物料编码", "商品编码", "code", "product code"),
        "name": ("产品名称", "品名", "商品名称", "产品", "product", "product name"),
        "list_price_amount": ("价格", "单价", "标准价", "售价", "标价", "price", "list price"),
        "list_price_currency": ("币种", "货币", "currency"),
        "category": ("分类", "产品分类", "类别", "category"),
        "unit": ("单位", "计量单位", "unit"),
        "tax_rate": ("税率", "tax rate", "tax"),
        "description": ("描述", "说明", "产品描述"),
    },
    match_keys=("id", "sku"),
)

register_entity(
    EntityType(
        model=Product,
        imports=PRODUCT_IMPORTS,
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
