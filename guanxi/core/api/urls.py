"""``/api/v1/core/…``: tags, custom fields, exchange rates, changes, events, choice options and the
condition catalogue."""

from django.urls import path

from guanxi.core.api.choices import ChoiceOptionViewSet
from guanxi.core.api.conditions import ConditionFieldsView, ConditionValidateView
from guanxi.core.api.events import EventViewSet
from guanxi.core.api.views import CustomFieldViewSet, ExchangeRateViewSet, ObjectChangeViewSet, TagViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("core")
router.register("tags", TagViewSet)
router.register("custom-fields", CustomFieldViewSet)
router.register("exchange-rates", ExchangeRateViewSet)
router.register("changes", ObjectChangeViewSet)
router.register("choice-options", ChoiceOptionViewSet)
router.register("events", EventViewSet)

urlpatterns = [
    *router.urls,
    path("conditions/<str:model>/fields/", ConditionFieldsView.as_view(), name="core-condition-fields"),
    path("conditions/<str:model>/validate/", ConditionValidateView.as_view(), name="core-condition-validate"),
]
