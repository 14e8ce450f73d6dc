from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    """Quotes (报价) on deals: lines, exact totals, versions, approval and the PDF."""

    name = "guanxi.quotes"
    label = "quotes"
    verbose_name = _("Quotes")

    def ready(self) -> None:
        from guanxi.quotes import guards  # noqa: F401
