from django.urls import path

from guanxi.core import views_choices, views_files
from guanxi.core.views_audit import ObjectChangeDetailView, ObjectChangeViews
from guanxi.framework.entities import entity_urls
from guanxi.framework.views.reveal import reveal_field

app_name = "core"
urlpatterns = [
    path(
        "settings/change-log/<int:pk>/",
        ObjectChangeDetailView.as_view(config=ObjectChangeViews),
        name="objectchange",
    ),
    *entity_urls("core"),
    path("settings/choices/", views_choices.choice_lists, name="choice_lists"),
    path("settings/choices/<str:name>/", views_choices.choice_list, name="choice_list"),
    path("reveal/<str:app_label>/<str:model_name>/<int:pk>/<str:field>/", reveal_field, name="reveal"),
    path("files/<int:ct_id>/<int:pk>/upload/", views_files.upload, name="attachment_upload"),
    path("files/<int:attachment_id>/", views_files.download, name="attachment_download"),
    path("files/<int:attachment_id>/delete/", views_files.delete, name="attachment_delete"),
]
