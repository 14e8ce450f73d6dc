"""Navigation of the contracts app: its lists join the sales group from entities.py; the contract
settings page joins Settings (core's group)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items

add_menu_items(
    "settings",
    [
        MenuItem(
            _("Contract settings"),
            "contracts:settings",
            icon="adjustments",
            permission="contracts.change_contractsettings",
            weight=75,
        )
    ],
)
