from django.urls import path

from guanxi.contracts import views
from guanxi.framework.entities import entity_urls

app_name = "contracts"
urlpatterns = [
    path("contracts/settings/", views.contract_settings, name="settings"),
    path("contracts/from-quote/<int:quote_pk>/", views.contract_from_quote, name="contract_from_quote"),
    path("contracts/<int:pk>/order/", views.contract_order, name="contract_order"),
    path("contracts/<int:pk>/renew/", views.contract_renew, name="contract_renew"),
    path("orders/<int:pk>/lines/", views.order_lines, name="order_lines"),
    *entity_urls("contracts"),
]
