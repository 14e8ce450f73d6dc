from django.urls import path

from guanxi.dedup import views

app_name = "dedup"
urlpatterns = [
    path("settings/duplicates/", views.queue_page, name="queue"),
    path("settings/duplicates/dismiss/", views.dismiss, name="dismiss"),
    path("settings/duplicates/scan/", views.scan, name="scan"),
    path("settings/duplicates/rules/", views.rules_page, name="rules"),
    path("duplicates/check/", views.entry_check, name="check"),
]
