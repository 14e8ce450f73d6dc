"""Organisation pages under ``/org/``: departments, users, roles, the roles editor, teams, explanations."""

from django.urls import path

from guanxi.framework.entities import entity_urls
from guanxi.users import views_org

app_name = "users"
urlpatterns = [
    *entity_urls("users"),
    path("org/roles/<int:pk>/access/", views_org.role_access, name="role_access"),
    path(
        "org/users/<int:pk>/deactivate/",
        views_org.user_set_active,
        {"active": False},
        name="user_deactivate",
    ),
    path(
        "org/users/<int:pk>/reactivate/",
        views_org.user_set_active,
        {"active": True},
        name="user_reactivate",
    ),
    path("org/access/", views_org.access_explain, name="access_explain"),
    path("org/users/<int:pk>/transfer/", views_org.user_transfer_records, name="user_transfer"),
    path("org/team/<int:ct_id>/<int:pk>/add/", views_org.team_add, name="team_add"),
    path(
        "org/team/<int:ct_id>/<int:pk>/remove/<int:user_id>/",
        views_org.team_remove,
        name="team_remove",
    ),
]
