"""The import wizard's pages after the upload (the upload is each entity's ``<model>_import``)."""

from django.urls import path

from guanxi.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.start, name="start"),
    path("imports/template/<str:label>/", views.template, name="template"),
    path("imports/<int:pk>/", views.batch_page, name="batch"),
    path("imports/<int:pk>/progress/", views.progress, name="progress"),
    path("imports/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("imports/<int:pk>/undo/", views.undo, name="undo"),
    path("imports/<int:pk>/errors.csv", views.error_file, name="errors"),
]
