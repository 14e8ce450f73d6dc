from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    """Products (产品), their category tree, and price lists per customer level or currency."""

    name = "guanxi.products"
    label = "products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from guanxi.products import cards  # noqa: F401  (the price list page's prices card)
