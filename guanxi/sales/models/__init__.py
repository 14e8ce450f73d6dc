from guanxi.sales.models.deal import Deal, DealContact, StageChange
from guanxi.sales.models.pipeline import Pipeline, Stage

__all__ = ["Deal", "DealContact", "Pipeline", "Stage", "StageChange"]
