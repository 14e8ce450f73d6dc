from django.urls import path

from guanxi.activities import views

app_name = "activities"
urlpatterns = [
    path("tasks/bulk-done/", views.bulk_done, name="task_bulk_done"),
    path("tasks/<int:pk>/toggle/", views.toggle_task, name="task_toggle"),
    path("activities/panel/<int:type_id>/<int:pk>/", views.panel, name="panel"),
    path("activities/log/<int:type_id>/<int:pk>/", views.quick_log, name="quick_log"),
    path("activities/task/<int:type_id>/<int:pk>/", views.quick_task, name="quick_task"),
    *views.FollowUpViews.urls(),
    *views.TaskViews.urls(),
]
