from django.urls import path

from guanxi.core import views_files
from guanxi.core.views import CustomFieldViews, TagViews
from guanxi.framework.views.reveal import reveal_field

app_name = "core"
urlpatterns = [
    *TagViews.urls(),
    *CustomFieldViews.urls(),
    path("reveal/<str:app_label>/<str:model_name>/<int:pk>/<str:field>/", reveal_field, name="reveal"),
    path("files/<int:ct_id>/<int:pk>/upload/", views_files.upload, name="attachment_upload"),
    path("files/<int:attachment_id>/", views_files.download, name="attachment_download"),
    path("files/<int:attachment_id>/delete/", views_files.delete, name="attachment_delete"),
]
