from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    """Users, the department tree and API tokens."""

    name = "guanxi.users"
    label = "users"
    verbose_name = _("Users and organisation")

    def ready(self) -> None:
        from guanxi.framework.panels import register_detail_context
        from guanxi.users import audit, menu  # noqa: F401  (audit receivers, menu groups)
        from guanxi.users.views_org import team_panel_context

        register_detail_context(team_panel_context)  # the "Team" card on every owned record

        from guanxi.framework.cards import register_card
        from guanxi.users.views_org import user_transfer_card

        register_card("detail.side", "users/org/transfer_card.html", weight=90)(user_transfer_card)

        from django.db.models.signals import post_migrate

        from guanxi.users.default_roles import ensure_default_roles

        post_migrate.connect(ensure_default_roles, sender=self, dispatch_uid="guanxi_default_roles")
        self._watch_access()

    def _watch_access(self) -> None:
        """Bump the organisation version on any change that decides access (framework machinery:
        the services bump it too, this catches admin saves, shells and data migrations)."""
        from django.contrib.auth.models import Group

        from guanxi.core.models import RecordShare
        from guanxi.users.access_version import watch_access_models
        from guanxi.users.models import Department, FieldRule, Role, RoleGrant, User

        watch_access_models(Role, RoleGrant, FieldRule, Department, RecordShare, Group)
        watch_access_models(
            User,
            fields=(
                "department",
                "department_id",
                "manager",
                "manager_id",
                "is_active",
                "is_superuser",
                "is_staff",
            ),
            m2m=(
                Role.users.through,
                User.user_permissions.through,
                User.groups.through,
                Group.permissions.through,
            ),
            # A new user changes others' access only as someone's report (or as an administrator).
            on_create=lambda user: bool(user.manager_id or user.is_superuser),
        )
