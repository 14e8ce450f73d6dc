from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Pipelines, stages and deals (商机): the sale from the first contact to won or lost."""

    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # the menu group, cards, the choice list, the lead-conversion option and the demo step (the
        # entities: entities.py; the deal team is the record team, core.RecordShare)
        from guanxi.customers.pools.services.rules import register_won_deal_source
        from guanxi.sales import cards, choices, demo_data, lead_conversion, menu  # noqa: F401

        # deals keep Customer.last_won_at: the pools' "no won deal for N days" rule is in force
        register_won_deal_source("sales")

        # the deal filters' pipelines and stages are kept in the process until one is written
        from guanxi.sales.models import Pipeline, Stage
        from guanxi.sales.stage_table import STAGE_TABLE

        STAGE_TABLE.watch(Pipeline, Stage)
