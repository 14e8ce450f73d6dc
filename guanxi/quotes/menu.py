"""Navigation entry of quotes (until the entity registry declares it)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        _("Sales"),
        weight=150,
        items=[
            MenuItem(_("Quotes"), "quotes:quote_list", icon="file-invoice", permission="quotes.view_quote")
        ],
    )
)
