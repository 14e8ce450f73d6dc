from django.urls import path

from guanxi.approvals import views, views_flows

app_name = "approvals"
urlpatterns = [
    path("approvals/", views.inbox, name="inbox"),
    path("approvals/submitted/", views.submitted, name="submitted"),
    path("approvals/decided/", views.decided_by_me, name="decided"),
    path("approvals/<int:pk>/", views.request_detail, name="request_detail"),
    path("approvals/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/<int:pk>/reject/", views.reject, name="reject"),
    path("approvals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("settings/approval-flows/", views_flows.flow_list, name="flow_list"),
    path("settings/approval-flows/add/", views_flows.flow_edit, name="flow_add"),
    path("settings/approval-flows/<int:pk>/", views_flows.flow_edit, name="flow_edit"),
]
