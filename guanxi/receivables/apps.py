from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    """回款: payment plans (installments) per contract, receipts, invoice requests and aging."""

    name = "guanxi.receivables"
    label = "receivables"
    verbose_name = _("Receivables")

    def ready(self) -> None:
        # write guards, the choice list, the menu, the cards, widgets, the sales dashboard's aging
        # chart and the demo step (entities: entities.py; approval flows: approvals.py; the
        # nightly jobs: tasks.py)
        from guanxi.receivables import cards, choices, dashboard, demo_data, guards, menu  # noqa: F401
