from guanxi.framework.entities import entity_urls
from guanxi.framework.testing.testapp.views import RequisitionViews

app_name = "testapp"
urlpatterns = [*entity_urls("testapp"), *RequisitionViews.urls()]
