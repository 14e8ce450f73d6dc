"""``/api/v1/testapp/``: the registered entities (gadgets) plus the approval tests' requisitions."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.testing.testapp.models import Requisition
from guanxi.framework.testing.testapp.views import RequisitionFilterSet


class RequisitionSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Requisition
        fields = ["title", "amount", "discount_percent", "customer", "note", "status"]


class RequisitionViewSet(EntityViewSet):
    queryset = Requisition.objects.all()
    serializer_class = RequisitionSerializer
    filterset_class = RequisitionFilterSet


router = EntityRouter("testapp")
router.register("requisitions", RequisitionViewSet)
urlpatterns = router.urls
