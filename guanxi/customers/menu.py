"""Navigation of the customers app: its groups, and the pages that are no entity's list (the
entity lists join from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("customers", _("Customers"), weight=100)
add_menu_items(
    "customers",
    [
        MenuItem(
            _("Unassigned leads"),
            "customers:lead_unassigned",
            icon="hand-grab",
            permission="customers.view_lead",
            weight=40,
        ),
        MenuItem(
            _("Import leads"),
            "customers:lead_import",
            icon="file-import",
            permission="customers.import_lead",
            weight=50,
        ),
    ],
)
# Lead capture set-up (web forms, assignment rules) for administrators, directors and marketing.
register_menu_group("lead_capture", _("Lead capture"), weight=850)
# Settings (core's group): the 撞单 policy page, for administrators.
add_menu_items(
    "settings",
    [
        MenuItem(
            _("Customer settings"),
            "customers:settings",
            icon="adjustments",
            permission="customers.change_customersettings",
            weight=70,
        )
    ],
)
