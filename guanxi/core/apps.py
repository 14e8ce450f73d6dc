from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting feature models keyed by content type (change log, custom fields, tags, jobs…)."""

    name = "guanxi.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from guanxi.core import menu  # noqa: F401  (the Settings menu group)
        from guanxi.core.attachments import attachments_panel_context
        from guanxi.framework.panels import register_detail_context

        register_detail_context(attachments_panel_context)  # the "Files" card

        from django.db.models.signals import post_migrate

        from guanxi.core.choices import ensure_default_choice_options

        # Configurable choice lists: the default options come back after a flush.
        post_migrate.connect(ensure_default_choice_options, sender=self, dispatch_uid="guanxi_choice_options")
