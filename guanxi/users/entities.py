"""The organisation's entity types: users, departments and roles."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import ROLE_CODES, EntityType, Grant, MenuEntry, register_entity
from guanxi.users.api.roles import RoleViewSet
from guanxi.users.api.views import DepartmentViewSet, UserViewSet
from guanxi.users.default_roles import ALL_ACTIONS, READ
from guanxi.users.models import Department, Role, User
from guanxi.users.views_org import DepartmentViews, RoleViews, UserViews

# Departments and roles are no one's: "assign" (transfer owner) means nothing for them.
ADMIN = Grant([a for a in ALL_ACTIONS if a != "assign"], "all")

register_entity(
    EntityType(
        model=Department,
        views=DepartmentViews,
        viewset=DepartmentViewSet,
        api_name="departments",
        menu=MenuEntry("organisation", _("Departments"), icon="hierarchy-2", weight=10),
        grants={"admin": ADMIN, **{code: Grant(["view"], "all") for code in ROLE_CODES if code != "admin"}},
    )
)
register_entity(
    EntityType(
        model=User,
        views=UserViews,
        viewset=UserViewSet,
        api_name="users",
        menu=MenuEntry("organisation", _("Users"), icon="users", weight=20),
        grants={
            "admin": Grant(ALL_ACTIONS, "all"),  # "assign" on users: hand a leaving user's records over
            "sales_director": Grant(READ, "department_tree"),
            "sales_manager": Grant(READ, "department_tree"),
            "sales_rep": Grant(["view"], "department"),
            "service_agent": Grant(["view"], "department"),
            "marketing": Grant(["view"], "department"),
            "read_only": Grant(READ, "all"),
        },
    )
)
register_entity(
    EntityType(
        model=Role,
        views=RoleViews,
        viewset=RoleViewSet,
        api_name="roles",
        menu=MenuEntry("organisation", _("Roles"), icon="shield-lock", weight=30),
        grants={"admin": ADMIN},
    )
)
