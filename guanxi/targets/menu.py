"""Navigation of the targets app: its pages join the sales group."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items

add_menu_items(
    "sales",
    [
        MenuItem(_("Targets"), "targets:grid", icon="target", permission="targets.view_target", weight=60),
        MenuItem(
            _("Forecast"), "targets:forecast", icon="trending-up", permission="sales.view_deal", weight=62
        ),
        MenuItem(
            _("Leaderboard"), "targets:leaderboard", icon="award", permission="targets.view_target", weight=64
        ),
        MenuItem(
            _("Sales dashboard"),
            "targets:dashboard",
            icon="chart-bar",
            permission="sales.view_deal",
            weight=66,
        ),
    ],
)
