from django.urls import path
from django.views.generic import RedirectView

from guanxi.activities import views
from guanxi.framework.entities import entity_urls

app_name = "activities"
urlpatterns = [
    # "My tasks": the task list filtered to the user's open tasks (a bookmarkable menu entry).
    path("tasks/mine/", RedirectView.as_view(url="/tasks/?mine=true&status=open"), name="my_tasks"),
    path("tasks/bulk-done/", views.bulk_done, name="task_bulk_done"),
    path("tasks/<int:pk>/toggle/", views.toggle_task, name="task_toggle"),
    path("activities/panel/<int:type_id>/<int:pk>/", views.panel, name="panel"),
    path("activities/log/<int:type_id>/<int:pk>/", views.quick_log, name="quick_log"),
    path("activities/task/<int:type_id>/<int:pk>/", views.quick_task, name="quick_task"),
    *entity_urls("activities"),
]
