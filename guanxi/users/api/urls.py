"""``/api/v1/users/…``: users, departments, roles (with grants and field rules), me."""

from django.urls import path

from guanxi.framework.api.routers import EntityRouter
from guanxi.users.api.roles import RoleViewSet
from guanxi.users.api.views import DepartmentViewSet, MeView, UserViewSet

router = EntityRouter("users")
router.register("users", UserViewSet)
router.register("departments", DepartmentViewSet)
router.register("roles", RoleViewSet)

extra_endpoints = {"me": "api:users-me"}
urlpatterns = [path("me/", MeView.as_view(), name="users-me"), *router.urls]
