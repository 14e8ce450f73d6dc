"""Navigation entries of the users app: the workspace group every signed-in user sees."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        label=_("Workspace"),
        weight=0,
        items=[
            MenuItem(label=_("Home"), url_name="home", icon="home"),
            MenuItem(label=_("Search"), url_name="search", icon="search"),
        ],
    )
)
register_menu(
    MenuGroup(
        label=_("Account"),
        weight=1000,
        items=[
            MenuItem(label=_("Notifications"), url_name="notification_list", icon="bell"),
            MenuItem(label=_("My jobs"), url_name="job_list", icon="progress"),
            MenuItem(label=_("Profile and settings"), url_name="profile", icon="user-circle"),
        ],
    )
)
