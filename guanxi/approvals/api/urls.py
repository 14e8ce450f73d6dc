"""``/api/v1/approvals/``: requests (``?box=awaiting`` 待我审批, ``?box=submitted`` 我发起的, and
their approve / reject / withdraw actions) and flows; routes derive from ``entities.py``."""

from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("approvals")
urlpatterns = router.urls
