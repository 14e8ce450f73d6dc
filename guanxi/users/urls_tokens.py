"""Settings → API tokens."""

from django.urls import path

from guanxi.users import views_tokens

urlpatterns = [
    path("settings/tokens/", views_tokens.token_list, name="token_list"),
    path("settings/tokens/new/", views_tokens.token_create, name="token_create"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
