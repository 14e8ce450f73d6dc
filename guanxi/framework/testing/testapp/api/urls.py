"""``/api/v1/testapp/gadgets/``: the test entity's API, three declarative classes (the recipe)."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.framework.testing.testapp.views import GadgetFilterSet


class GadgetSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Gadget
        fields = ["name", "code", "price", "status", "phone", "list_price", "discount"]


class GadgetViewSet(EntityViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetSerializer
    filterset_class = GadgetFilterSet


router = EntityRouter("testapp")
router.register("gadgets", GadgetViewSet)
urlpatterns = router.urls
