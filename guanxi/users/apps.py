from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    """Users, the department tree and API tokens."""

    name = "guanxi.users"
    label = "users"
    verbose_name = _("Users and organisation")

    def ready(self) -> None:
        from guanxi.framework.panels import register_detail_context
        from guanxi.users import audit, menu, search  # noqa: F401  (audit receivers, menu, search indexes)
        from guanxi.users.views_org import team_panel_context

        register_detail_context(team_panel_context)  # the "Team" card on every owned record

        from guanxi.framework.cards import register_card
        from guanxi.users.views_org import user_transfer_card

        register_card("detail.side", "users/org/transfer_card.html", weight=90)(user_transfer_card)

        from django.db.models.signals import post_migrate

        from guanxi.users.default_roles import ensure_default_roles

        post_migrate.connect(ensure_default_roles, sender=self, dispatch_uid="guanxi_default_roles")
