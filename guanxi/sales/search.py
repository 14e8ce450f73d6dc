"""Global search over deals (by name), through ``restrict()``."""

from guanxi.framework.search import SearchIndex, register_search
from guanxi.sales.models import Deal


@register_search
class DealIndex(SearchIndex):
    model = Deal
    fields = (("name", 100),)
