"""``/api/v1/core/…``: tags, custom fields, changes, events."""

from guanxi.core.api.choices import ChoiceOptionViewSet
from guanxi.core.api.events import EventViewSet
from guanxi.core.api.views import CustomFieldViewSet, ObjectChangeViewSet, TagViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("core")
router.register("tags", TagViewSet)
router.register("custom-fields", CustomFieldViewSet)
router.register("changes", ObjectChangeViewSet)
router.register("choice-options", ChoiceOptionViewSet)
router.register("events", EventViewSet)

urlpatterns = router.urls
