"""``/api/v1/products/{products,categories,price-lists,price-list-items}/``."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.products.api.serializers import (
    PriceListItemSerializer,
    PriceListSerializer,
    ProductCategorySerializer,
    ProductSerializer,
)
from guanxi.products.filtersets import (
    PriceListFilterSet,
    PriceListItemFilterSet,
    ProductCategoryFilterSet,
    ProductFilterSet,
)
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategoryViewSet(EntityViewSet):
    queryset = ProductCategory.objects.all()
    serializer_class = ProductCategorySerializer
    filterset_class = ProductCategoryFilterSet


class ProductViewSet(EntityViewSet):
    queryset = Product.objects.select_related("category")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet


class PriceListViewSet(EntityViewSet):
    queryset = PriceList.objects.all()
    serializer_class = PriceListSerializer
    filterset_class = PriceListFilterSet


class PriceListItemViewSet(EntityViewSet):
    queryset = PriceListItem.objects.select_related("price_list", "product")
    serializer_class = PriceListItemSerializer
    filterset_class = PriceListItemFilterSet


router = EntityRouter("products")
router.register("categories", ProductCategoryViewSet)
router.register("products", ProductViewSet)
router.register("price-lists", PriceListViewSet)
router.register("price-list-items", PriceListItemViewSet)
urlpatterns = router.urls
