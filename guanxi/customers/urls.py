"""Pages of the customers app (customers, contacts, leads, pools; one namespace, ``customers:``)."""

from django.urls import path

from guanxi.customers import views_links, views_team_requests, views_transfer
from guanxi.customers.leads import urls as lead_urls
from guanxi.customers.pools import urls as pool_urls
from guanxi.customers.views import CustomerViews
from guanxi.framework.entities import entity_urls
from guanxi.framework.views.merge import MergeView

app_name = "customers"
urlpatterns = [
    *entity_urls("customers"),
    # the customers' merge page under its short name (also ``customer_merge``, derived)
    path("customers/merge/", MergeView.as_view(config=CustomerViews), name="merge"),
    path("customers/<int:pk>/transfer/", views_transfer.customer_transfer, name="customer_transfer"),
    path("customers/bulk-transfer/", views_transfer.customer_bulk_transfer, name="customer_bulk_transfer"),
    path("customers/<int:pk>/contacts/", views_links.customer_contacts, name="customer_contacts"),
    path(
        "customers/<int:pk>/contacts/link/", views_links.customer_contact_link, name="customer_contact_link"
    ),
    path(
        "customers/<int:pk>/contacts/<int:link_pk>/edit/",
        views_links.customer_contact_edit,
        name="customer_contact_edit",
    ),
    path(
        "customers/<int:pk>/contacts/<int:link_pk>/unlink/",
        views_links.customer_contact_unlink,
        name="customer_contact_unlink",
    ),
    path("customers/regions/", views_links.region_options, name="regions"),
    path("customers/settings/", views_links.customer_settings, name="settings"),
    # 撞单's way forward: ask the owner to join the customer's team; the owner decides
    path("customers/team-requests/", views_team_requests.ask_to_join, name="team_request_ask"),
    path("customers/team-requests/<str:token>/", views_team_requests.decide, name="team_request"),
]
urlpatterns += lead_urls.urlpatterns  # the public web form
urlpatterns += pool_urls.urlpatterns  # public pools (公海)
