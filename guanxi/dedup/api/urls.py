"""``/api/v1/dedup/``: duplicate candidates, dismissal and the entry-time check (no entity)."""

from guanxi.dedup.api.views import DuplicatesViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("dedup")
router.register("", DuplicatesViewSet, basename="duplicates")
urlpatterns = router.urls
