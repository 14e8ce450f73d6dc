from guanxi.targets.models.target import PERIODS, Target, month_periods

__all__ = ["PERIODS", "Target", "month_periods"]
