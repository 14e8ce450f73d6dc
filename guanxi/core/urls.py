from django.urls import path

from guanxi.core.views import CustomFieldViews, TagViews
from guanxi.framework.views.reveal import reveal_field

app_name = "core"
urlpatterns = [
    *TagViews.urls(),
    *CustomFieldViews.urls(),
    path("reveal/<str:app_label>/<str:model_name>/<int:pk>/<str:field>/", reveal_field, name="reveal"),
]
