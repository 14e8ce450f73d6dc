"""``/api/v1/core/…``: the platform entities (from the registry: tags, custom fields, exchange
rates, changes, choice options), events and the condition catalogue."""

from django.urls import path

from guanxi.core.api.conditions import ConditionFieldsView, ConditionValidateView
from guanxi.core.api.events import EventViewSet
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("core")
router.register("events", EventViewSet)

urlpatterns = [
    *router.urls,
    path("conditions/<str:model>/fields/", ConditionFieldsView.as_view(), name="core-condition-fields"),
    path("conditions/<str:model>/validate/", ConditionValidateView.as_view(), name="core-condition-validate"),
]
