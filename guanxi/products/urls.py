from guanxi.framework.entities import entity_urls

app_name = "products"
urlpatterns = entity_urls("products")
