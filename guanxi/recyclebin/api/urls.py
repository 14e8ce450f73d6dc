"""``/api/v1/recyclebin/``: the recycle bin's entries (no entity: registered here)."""

from guanxi.framework.api.routers import EntityRouter
from guanxi.recyclebin.api.views import RecycleBinEntryViewSet

router = EntityRouter("recyclebin")
router.register("entries", RecycleBinEntryViewSet)
urlpatterns = router.urls
