"""Pages of the customers app (customers, contacts, leads, pools; one namespace, ``customers:``)."""

from django.urls import path

from guanxi.customers import views_links, views_transfer
from guanxi.customers.leads import urls as lead_urls
from guanxi.customers.pools import urls as pool_urls
from guanxi.framework.entities import entity_urls

app_name = "customers"
urlpatterns = [
    *entity_urls("customers"),
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
]
urlpatterns += lead_urls.urlpatterns  # the public web form
urlpatterns += pool_urls.urlpatterns  # public pools (公海)
