from django.urls import path

from guanxi.targets import views

app_name = "targets"
urlpatterns = [
    path("targets/", views.grid, name="grid"),
    path("targets/split/", views.split, name="split"),
    path("targets/export.xlsx", views.grid_export, name="grid_export"),
    path("targets/import/", views.grid_import, name="grid_import"),
    path("forecast/", views.forecast, name="forecast"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("dashboards/sales/", views.dashboard, name="dashboard"),
    path("dashboards/sales/<str:key>.xlsx", views.dashboard_export, name="dashboard_export"),
]
