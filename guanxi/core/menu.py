"""Navigation of the platform pages: the Settings group (entity lists join it from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("settings", _("Settings"), weight=900)
add_menu_items(
    "settings",
    [
        MenuItem(
            _("Choice lists"),
            "core:choice_lists",
            icon="list-details",
            permission="core.change_choiceoption",
            weight=40,
        )
    ],
)
