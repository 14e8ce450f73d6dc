"""Navigation of the receivables: receipts and invoice requests join the sales group from
entities.py; the aging report and the overdue list join it here; the settings page joins Settings."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items

add_menu_items(
    "sales",
    [
        MenuItem(
            _("Overdue installments"),
            "receivables:overdue_list",
            icon="alarm",
            permission="contracts.view_contract",
            weight=62,
        ),
        MenuItem(
            _("Receivables aging"),
            "receivables:aging",
            icon="chart-bar",
            permission="contracts.view_contract",
            weight=64,
        ),
    ],
)
add_menu_items(
    "settings",
    [
        MenuItem(
            _("Receivables settings"),
            "receivables:settings",
            icon="adjustments",
            permission="receivables.change_receivablesettings",
            weight=76,
        )
    ],
)
