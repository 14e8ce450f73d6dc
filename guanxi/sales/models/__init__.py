from guanxi.sales.models.deal import Deal, DealContact, DealTeamMember, StageChange
from guanxi.sales.models.pipeline import Pipeline, Stage

__all__ = ["Deal", "DealContact", "DealTeamMember", "Pipeline", "Stage", "StageChange"]
