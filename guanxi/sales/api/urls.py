"""``/api/v1/sales/…``: deals, pipelines and stages, routed from the entity registry."""

from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("sales")
urlpatterns = router.urls
