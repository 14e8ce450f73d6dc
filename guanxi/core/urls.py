from guanxi.core.views import CustomFieldViews, TagViews

app_name = "core"
urlpatterns = [*TagViews.urls(), *CustomFieldViews.urls()]
