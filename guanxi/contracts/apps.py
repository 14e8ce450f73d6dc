from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Contracts (合同) and orders (订单): numbered, approved, renewed; the purchase history."""

    name = "guanxi.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        # write guards, the choice list, the menu, the cards and the demo step (entities:
        # entities.py; approval flow: approvals.py; the renewal job: tasks.py)
        from guanxi.contracts import cards, choices, demo_data, guards, menu  # noqa: F401
