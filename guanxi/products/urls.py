from guanxi.products import views

app_name = "products"
urlpatterns = [
    *views.ProductCategoryViews.urls(),
    *views.ProductViews.urls(),
    *views.PriceListViews.urls(),
    *views.PriceListItemViews.urls(),
]
