from guanxi.framework.search import SearchIndex, register_search
from guanxi.products.models import PriceList, Product


@register_search
class ProductIndex(SearchIndex):
    model = Product
    fields = (("sku", 100), ("name", 90), ("name_en", 60))


@register_search
class PriceListIndex(SearchIndex):
    model = PriceList
    fields = (("name", 100),)
