from django.urls import path

from guanxi.approvals import views

app_name = "approvals"
urlpatterns = [
    path("approvals/", views.inbox, name="inbox"),
    path("approvals/submitted/", views.submitted, name="submitted"),
    path("approvals/<int:pk>/", views.request_detail, name="request_detail"),
    path("approvals/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/<int:pk>/reject/", views.reject, name="reject"),
    path("approvals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
