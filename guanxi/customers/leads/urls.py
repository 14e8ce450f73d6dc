"""Pages of leads that are no entity's: the public web form ``/f/<key>/`` (no sign-in). The lead
pages (list, convert, claim, assign, import…) come with ``LeadViews`` through ``entity_urls``."""

from django.urls import path

from guanxi.customers.leads.views_capture import public_capture_view

urlpatterns = [
    path("f/<str:key>/", public_capture_view, name="lead_capture_public"),
]
