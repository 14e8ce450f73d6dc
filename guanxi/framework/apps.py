from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    """The framework layer as an app: templates, template tags and management commands, no models."""

    name = "guanxi.framework"
    label = "framework"
    verbose_name = "Guanxi framework"

    def ready(self) -> None:
        from guanxi.framework import changes, signals  # noqa: F401  (connects change capture)
        from guanxi.framework.entities import autodiscover

        autodiscover()  # every app's entities.py: the entity registry
