"""Navigation entries of the products app (until the entity registry declares them)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        _("Sales"),
        weight=150,
        items=[
            MenuItem(
                _("Products"), "products:product_list", icon="package", permission="products.view_product"
            ),
            MenuItem(
                _("Price lists"),
                "products:pricelist_list",
                icon="receipt",
                permission="products.view_pricelist",
            ),
        ],
    )
)
