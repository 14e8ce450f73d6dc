"""``/api/v1/core/…``: tags, custom fields, exchange rates, changes."""

from guanxi.core.api.choices import ChoiceOptionViewSet
from guanxi.core.api.views import CustomFieldViewSet, ExchangeRateViewSet, ObjectChangeViewSet, TagViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("core")
router.register("tags", TagViewSet)
router.register("custom-fields", CustomFieldViewSet)
router.register("exchange-rates", ExchangeRateViewSet)
router.register("changes", ObjectChangeViewSet)
router.register("choice-options", ChoiceOptionViewSet)

urlpatterns = router.urls
