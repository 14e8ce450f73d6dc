from guanxi.framework.search import SearchIndex, register_search
from guanxi.quotes.models import Quote


@register_search
class QuoteIndex(SearchIndex):
    model = Quote
    fields = (("number", 100), ("title", 80))
