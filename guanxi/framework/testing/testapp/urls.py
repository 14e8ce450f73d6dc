from guanxi.framework.testing.testapp.views import GadgetViews

app_name = "testapp"
urlpatterns = GadgetViews.urls()
