from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting feature models keyed by content type (change log, custom fields, tags, jobs…)."""

    name = "guanxi.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from guanxi.core import menu, search  # noqa: F401  (registers menu entries and search indexes)
        from guanxi.core.attachments import attachments_panel_context
        from guanxi.framework.panels import register_detail_context

        register_detail_context(attachments_panel_context)  # the "Files" card

        from django.db.models.signals import post_migrate

        from guanxi.core.choices import ensure_default_choice_options
        from guanxi.core.roles import CHOICE_GRANTS, CHOICE_MODELS, RATE_GRANTS, RATE_MODELS
        from guanxi.users.default_roles import register_module_grants

        # Configurable choice lists: default options and grants come back after a flush.
        register_module_grants("core", CHOICE_MODELS, CHOICE_GRANTS)
        register_module_grants("core", RATE_MODELS, RATE_GRANTS)
        post_migrate.connect(ensure_default_choice_options, sender=self, dispatch_uid="guanxi_choice_options")
