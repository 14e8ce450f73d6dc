from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The staged import engine (``guanxi.imports``): files land in staging rows, are mapped and
    validated set-based, and are committed in chunks through the write path's bulk mode."""

    name = "guanxi.imports"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guanxi.imports import menu  # noqa: F401
