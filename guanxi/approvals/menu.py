"""Navigation: 待我审批 and 我发起的."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        _("Approvals"),
        weight=160,
        items=[
            MenuItem(_("Awaiting my approval"), "approvals:inbox", icon="clipboard-check"),
            MenuItem(_("Submitted by me"), "approvals:submitted", icon="send"),
        ],
    )
)
