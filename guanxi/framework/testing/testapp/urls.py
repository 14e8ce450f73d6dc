from guanxi.framework.testing.testapp.views import GadgetViews, RequisitionViews

app_name = "testapp"
urlpatterns = [*GadgetViews.urls(), *RequisitionViews.urls()]
