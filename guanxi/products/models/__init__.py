from guanxi.products.models.pricelist import PriceList, PriceListItem
from guanxi.products.models.product import Product, ProductCategory

__all__ = ["PriceList", "PriceListItem", "Product", "ProductCategory"]
