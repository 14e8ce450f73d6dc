from guanxi.framework.search import SearchIndex, register_search
from guanxi.framework.testing.testapp.models import Gadget, Requisition


@register_search
class GadgetIndex(SearchIndex):
    model = Gadget
    fields = (("name", 100), ("code", 80))


@register_search
class RequisitionIndex(SearchIndex):
    model = Requisition
    fields = (("title", 100),)
