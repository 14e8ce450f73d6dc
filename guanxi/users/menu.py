"""Navigation of the users app: the workspace and account groups every signed-in user sees, and
the staff-only Organisation group (departments, users and roles join it from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("workspace", _("Workspace"), weight=0)
add_menu_items(
    "workspace",
    [
        MenuItem(label=_("Home"), url_name="home", icon="home", weight=10),
        MenuItem(label=_("Search"), url_name="search", icon="search", weight=20),
    ],
)
register_menu_group("account", _("Account"), weight=1000)
add_menu_items(
    "account",
    [
        MenuItem(label=_("Notifications"), url_name="notification_list", icon="bell", weight=10),
        MenuItem(label=_("My jobs"), url_name="job_list", icon="progress", weight=20),
        MenuItem(label=_("Profile and settings"), url_name="profile", icon="user-circle", weight=30),
    ],
)
register_menu_group("organisation", _("Organisation"), weight=800, staff_only=True)
add_menu_items(
    "organisation",
    [
        MenuItem(
            label=_("Access explanation"),
            url_name="users:access_explain",
            icon="help-circle",
            permission="users.view_role",
            weight=40,
        )
    ],
)
