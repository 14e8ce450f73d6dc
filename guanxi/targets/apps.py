from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    """Targets (业绩目标), the forecast, the leaderboard and the sales dashboards."""

    name = "guanxi.targets"
    label = "targets"
    verbose_name = _("Targets")

    def ready(self) -> None:
        # the menu entries and the demo step (the entity: entities.py)
        from guanxi.targets import demo_data, menu  # noqa: F401
