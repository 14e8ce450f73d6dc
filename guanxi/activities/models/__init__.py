from guanxi.activities.models.followup import FollowUp
from guanxi.activities.models.task import Task

__all__ = ["FollowUp", "Task"]
