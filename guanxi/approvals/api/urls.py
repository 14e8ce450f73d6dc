"""``/api/v1/approvals/``: requests (my pending approvals, mine submitted, the actions) and flows."""

from guanxi.approvals.api.views import ApprovalFlowViewSet, ApprovalRequestViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("approvals")
router.register("flows", ApprovalFlowViewSet)
router.register("requests", ApprovalRequestViewSet)
urlpatterns = router.urls
