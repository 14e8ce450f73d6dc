"""``/api/v1/users/…``: users, departments, roles (with grants and field rules; from the entity
registry), and me."""

from django.urls import path

from guanxi.framework.api.routers import EntityRouter
from guanxi.users.api.views import MeView

router = EntityRouter("users")

extra_endpoints = {"me": "api:users-me"}
urlpatterns = [path("me/", MeView.as_view(), name="users-me"), *router.urls]
