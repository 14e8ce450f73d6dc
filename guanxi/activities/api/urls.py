"""``/api/v1/activities/…``: follow-ups and tasks, routed from the entity registry."""

from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("activities")
urlpatterns = router.urls
