"""Navigation of the sales app (deals, pipelines and stages join the group from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("sales", _("Sales"), weight=120)
add_menu_items(
    "sales",
    [
        MenuItem(
            _("Deal board"),
            "sales:board_default",
            icon="layout-kanban",
            permission="sales.view_deal",
            weight=20,
        )
    ],
)
