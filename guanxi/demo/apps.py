from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """No models: installed only so Django finds the ``demo`` management command."""

    name = "guanxi.demo"
    label = "demo"
    verbose_name = _("Demo data")
