"""``/api/v1/testapp/gadgets/``: the test entity's API, three declarative classes (the recipe)."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.testing.testapp.models import Gadget, Requisition
from guanxi.framework.testing.testapp.views import GadgetFilterSet, RequisitionFilterSet


class GadgetSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Gadget
        fields = ["name", "code", "price", "status", "phone", "list_price", "discount"]


class GadgetViewSet(EntityViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetSerializer
    filterset_class = GadgetFilterSet


class RequisitionSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Requisition
        fields = ["title", "amount", "discount_percent", "customer", "note", "status"]


class RequisitionViewSet(EntityViewSet):
    queryset = Requisition.objects.all()
    serializer_class = RequisitionSerializer
    filterset_class = RequisitionFilterSet


router = EntityRouter("testapp")
router.register("gadgets", GadgetViewSet)
router.register("requisitions", RequisitionViewSet)
urlpatterns = router.urls
