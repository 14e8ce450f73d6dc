"""The sales module's configurable list: why a deal was won or lost (Settings → Choice lists)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceList, Option, choices, register_choice_list

CLOSE_REASON_LIST = "sales.deal.close_reason"

register_choice_list(
    ChoiceList(
        CLOSE_REASON_LIST,
        _("Deal win/loss reason"),
        [
            Option("price", "价格", "Price"),
            Option("product_fit", "产品匹配", "Product fit"),
            Option("relationship", "客户关系", "Relationship"),
            Option("service", "服务", "Service"),
            Option("competitor", "输给竞争对手", "Lost to a competitor"),
            Option("no_budget", "没有预算", "No budget"),
            Option("no_decision", "无决策/搁置", "No decision"),
            Option("other", "其他", "Other"),
        ],
        model="sales.Deal",
        field="close_reason",
    )
)


def close_reason_choices() -> list[tuple[str, str]]:
    """``Deal.close_reason``'s choices: the configured reasons (inactive ones too, for display)."""
    return choices(CLOSE_REASON_LIST)


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ForecastCategory(models.TextChoices):
    """Where a deal counts in the forecast (Salesforce-style categories)."""

    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    OMITTED = "omitted", _("Omitted")


# A stage's win probability gives a deal's category unless the rep chooses one.
COMMIT_FROM, BEST_CASE_FROM = 70, 40


def default_forecast_category(kind: str, probability: int) -> str:
    """The category a deal in a stage of ``kind`` and ``probability`` gets by default."""
    if kind == StageKind.LOST:
        return ForecastCategory.OMITTED
    if kind == StageKind.WON or probability >= COMMIT_FROM:
        return ForecastCategory.COMMIT
    if probability >= BEST_CASE_FROM:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


class DealContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    CHAMPION = "champion", _("Champion")
    TECHNICAL = "technical", _("Technical evaluator")
    USER = "user", _("User")
    PROCUREMENT = "procurement", _("Procurement")
    OTHER = "other", _("Other")
