"""Search indexes of follow-ups and tasks (what was said, what is to be done)."""

from guanxi.activities.models import FollowUp, Task
from guanxi.framework.search import SearchIndex, register_search


@register_search
class FollowUpIndex(SearchIndex):
    model = FollowUp
    fields = (("content", 60), ("next_step", 40), ("place", 30))


@register_search
class TaskIndex(SearchIndex):
    model = Task
    fields = (("title", 80), ("description", 40))
