"""Navigation entries of the platform pages."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        _("Settings"),
        weight=900,
        items=[
            MenuItem(_("Tags"), "core:tag_list", icon="tags", permission="core.view_tag"),
            MenuItem(
                _("Custom fields"), "core:customfield_list", icon="forms", permission="core.view_customfield"
            ),
            MenuItem(
                _("Exchange rates"),
                "core:exchangerate_list",
                icon="currency-yuan",
                permission="core.view_exchangerate",
            ),
            MenuItem(
                _("Choice lists"),
                "core:choice_lists",
                icon="list-details",
                permission="core.change_choiceoption",
            ),
            MenuItem(
                _("Change log"), "core:objectchange_list", icon="history", permission="core.view_objectchange"
            ),
            MenuItem(
                _("Audit trail"),
                "core:auditevent_list",
                icon="shield-check",
                permission="core.view_auditevent",
            ),
        ],
    )
)
