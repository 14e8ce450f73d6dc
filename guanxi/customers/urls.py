from guanxi.customers.views import ContactViews, CustomerViews

app_name = "customers"
urlpatterns = [*CustomerViews.urls(), *ContactViews.urls()]
