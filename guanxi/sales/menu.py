"""Navigation entries of the sales app."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("sales", _("Sales"), weight=140)
add_menu_items(
    "sales",
    [
        MenuItem(_("Deals"), "sales:deal_list", icon="briefcase", permission="sales.view_deal"),
        MenuItem(_("Deal board"), "sales:board_default", icon="layout-kanban", permission="sales.view_deal"),
        MenuItem(
            _("Pipelines"), "sales:pipeline_list", icon="git-branch", permission="sales.change_pipeline"
        ),
    ],
)
