from django.urls import path

from guanxi.framework.entities import entity_urls
from guanxi.quotes import views

app_name = "quotes"
urlpatterns = [
    path("quotes/<int:pk>/lines/", views.quote_lines, name="quote_lines"),
    path("quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/attach-pdf/", views.quote_attach_pdf, name="quote_attach_pdf"),
    path("quotes/<int:pk>/revise/", views.quote_revise, name="quote_revise"),
    *entity_urls("quotes"),
]
