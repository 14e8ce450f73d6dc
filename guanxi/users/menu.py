"""Navigation entries of the users app: the workspace and account groups every signed-in user sees, and
the staff-only Organisation group (departments, users, roles, access explanation)."""

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
register_menu(
    MenuGroup(
        label=_("Organisation"),
        weight=800,
        staff_only=True,
        items=[
            MenuItem(
                label=_("Departments"),
                url_name="users:department_list",
                icon="hierarchy-2",
                permission="users.view_department",
            ),
            MenuItem(
                label=_("Users"), url_name="users:user_list", icon="users", permission="users.view_user"
            ),
            MenuItem(
                label=_("Roles"), url_name="users:role_list", icon="shield-lock", permission="users.view_role"
            ),
            MenuItem(
                label=_("Access explanation"),
                url_name="users:access_explain",
                icon="help-circle",
                permission="users.view_role",
            ),
        ],
    )
)
