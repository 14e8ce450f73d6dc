from guanxi.customers import views_pools
from guanxi.customers.views import ContactViews, CustomerViews
from guanxi.customers.views_pool_admin import PoolRuleViews, PoolViews

app_name = "customers"
urlpatterns = [*CustomerViews.urls(), *ContactViews.urls()]
urlpatterns += [*views_pools.urlpatterns, *PoolViews.urls(), *PoolRuleViews.urls()]  # public pools (公海)
