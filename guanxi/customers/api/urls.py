"""``/api/v1/customers/…``: customers, contacts, leads, pools and pool rules (from the entity
registry), and the pool actions on customers (claim, release, move)."""

from guanxi.customers.pools.api.views import register_pool_routes
from guanxi.framework.api.routers import EntityRouter

router = EntityRouter("customers")
register_pool_routes(router)  # claim/release/move on customers, the rules' dry-run
urlpatterns = router.urls
