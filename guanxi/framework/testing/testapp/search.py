from guanxi.framework.search import SearchIndex, register_search
from guanxi.framework.testing.testapp.models import Gadget


@register_search
class GadgetIndex(SearchIndex):
    model = Gadget
    fields = (("name", 100), ("code", 80))
