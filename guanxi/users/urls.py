"""Pages of the signed-in user: sign in/out, home, global search, profile, password, language."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from guanxi.users import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/team/<slug:key>.xlsx", views.team_chart_export, name="team_chart_export"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView answers POST only (a GET link could sign people out from another site).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", views.search, name="search"),
    path("settings/profile/", views.ProfileView.as_view(), name="profile"),
    path("settings/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/language/", views.switch_language, name="switch_language"),
    path("i18n/", include("django.conf.urls.i18n")),  # Django's set_language, kept for other callers
]
