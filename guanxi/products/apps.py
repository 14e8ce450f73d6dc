from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    """Products (产品), their category tree, and price lists per customer level or currency."""

    name = "guanxi.products"
    label = "products"
    verbose_name = _("Products")
