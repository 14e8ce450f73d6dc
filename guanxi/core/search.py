"""Search indexes of the platform entities."""

from guanxi.core.models import Tag
from guanxi.framework.search import SearchIndex, register_search


@register_search
class TagIndex(SearchIndex):
    model = Tag
    fields = (("name", 100), ("slug", 60), ("description", 20))
