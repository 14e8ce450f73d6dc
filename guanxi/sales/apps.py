from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Pipelines, stages and deals (商机): the sale from the first contact to won or lost."""

    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # menu, search, cards, row access (deal teams), choice lists, demo step
        from guanxi.sales import access, cards, choices, demo_data, menu, search  # noqa: F401

        # (quotes branch, temporary) the deals branch declares its entities and grants through
        # the entity registry; until it merges main, no default grants are installed here.
