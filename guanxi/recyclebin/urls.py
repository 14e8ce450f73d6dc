from django.urls import path

from guanxi.recyclebin import views

app_name = "recyclebin"
urlpatterns = [
    path("settings/recycle-bin/", views.bin_list, name="list"),
    path("settings/recycle-bin/<int:pk>/restore/", views.restore, name="restore"),
    path("settings/recycle-bin/<int:pk>/purge/", views.purge, name="purge"),
]
