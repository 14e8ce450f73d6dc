"""The test entity's serializer (the recipe's API class; the viewset and route derive from it)."""

from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.testing.testapp.models import Gadget, Requisition


class GadgetSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Gadget
        fields = ["name", "code", "price", "status", "phone", "list_price", "discount"]


class RequisitionSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Requisition
        fields = ["title", "amount", "discount_percent", "customer", "note", "status"]
