from django.urls import path

from guanxi.customers.views import ContactViews, CustomerViews
from guanxi.customers.views_capture import AssignmentRuleViews, LeadCaptureFormViews, public_capture_view
from guanxi.customers.views_leads import LeadViews

app_name = "customers"
urlpatterns = [*CustomerViews.urls(), *ContactViews.urls()]
urlpatterns += [  # leads, web forms, assignment rules; /f/<key>/ is the public web form (no sign-in)
    *LeadViews.urls(),
    *LeadCaptureFormViews.urls(),
    *AssignmentRuleViews.urls(),
    path("f/<str:key>/", public_capture_view, name="lead_capture_public"),
]
