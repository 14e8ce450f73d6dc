"""``/api/v1/receivables/…``: receipts and invoice requests (from the entity registry) and the
payment plans (``plans/{contract id}/``)."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.receivables.api.views import PlanViewSet

router = EntityRouter("receivables")
router.register("plans", PlanViewSet, basename="receivables-plan")
urlpatterns = router.urls
