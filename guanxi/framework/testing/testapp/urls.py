from guanxi.framework.entities import entity_urls

app_name = "testapp"
urlpatterns = entity_urls("testapp")
