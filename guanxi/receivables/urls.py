from django.urls import path

from guanxi.framework.entities import entity_urls
from guanxi.receivables import views

app_name = "receivables"
urlpatterns = [
    path("receivables/aging/", views.aging_report, name="aging"),
    path("receivables/installments/", views.installment_list, name="installment_list"),
    path("receivables/overdue/", views.overdue_list, name="overdue_list"),
    path("receivables/settings/", views.receivable_settings, name="settings"),
    path("receivables/contracts/<int:pk>/installments/add/", views.plan_installment, name="installment_add"),
    path(
        "receivables/contracts/<int:pk>/installments/<int:installment_pk>/edit/",
        views.plan_installment,
        name="installment_edit",
    ),
    path(
        "receivables/contracts/<int:pk>/installments/<int:installment_pk>/void/",
        views.plan_void,
        name="installment_void",
    ),
    path(
        "receivables/contracts/<int:pk>/installments/<int:installment_pk>/delete/",
        views.plan_delete,
        name="installment_delete",
    ),
    path("receivables/contracts/<int:pk>/split/", views.plan_split, name="plan_split"),
    path("receipts/<int:pk>/allocation/", views.receipt_allocation, name="receipt_allocation"),
    *entity_urls("receivables"),
]
