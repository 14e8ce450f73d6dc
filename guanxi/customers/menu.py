"""Navigation entries of the customers app."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, add_menu_items, register_menu

register_menu(
    MenuGroup(
        _("Customers"),
        weight=100,
        items=[
            MenuItem(
                _("Customers"),
                "customers:customer_list",
                icon="building",
                permission="customers.view_customer",
            ),
            MenuItem(
                _("Contacts"),
                "customers:contact_list",
                icon="address-book",
                permission="customers.view_contact",
            ),
            MenuItem(
                _("Leads"), "customers:lead_list", icon="target-arrow", permission="customers.view_lead"
            ),
            MenuItem(
                _("Unassigned leads"),
                "customers:lead_unassigned",
                icon="hand-grab",
                permission="customers.view_lead",
            ),
            MenuItem(
                _("Import leads"),
                "customers:lead_import",
                icon="file-import",
                permission="customers.import_lead",
            ),
        ],
    )
)

# Lead capture set-up (web forms, assignment rules) for administrators, directors and marketing.
register_menu(
    MenuGroup(
        _("Lead capture"),
        weight=850,
        items=[
            MenuItem(
                _("Web forms"),
                "customers:leadcaptureform_list",
                icon="forms",
                permission="customers.view_leadcaptureform",
            ),
            MenuItem(
                _("Assignment rules"),
                "customers:assignmentrule_list",
                icon="route",
                permission="customers.view_assignmentrule",
            ),
        ],
    )
)

# Settings (core's group, weight 900): the 撞单 policy page, for administrators.
add_menu_items(
    900,
    [
        MenuItem(
            _("Customer settings"),
            "customers:settings",
            icon="adjustments",
            permission="customers.change_customersettings",
        )
    ],
)
