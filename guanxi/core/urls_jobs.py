"""My jobs (with live progress) and notifications; URL names are global (no app namespace)."""

from django.urls import path

from guanxi.core import views_jobs

urlpatterns = [
    path("jobs/", views_jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views_jobs.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", views_jobs.job_download, name="job_download"),
    path("notifications/", views_jobs.notification_list, name="notification_list"),
    path("notifications/menu/", views_jobs.notification_menu, name="notification_menu"),
    path("notifications/read-all/", views_jobs.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views_jobs.notification_read, name="notification_read"),
]
