"""Pages of public pools that are no entity's: the pool index, a pool's customers, claim, release,
assignment from a pool and the rules' dry-run (pools and pool rules: ``entity_urls``)."""

from django.urls import path

from guanxi.customers.pools.views import (
    AssignView,
    BulkMoveToPoolView,
    ClaimView,
    DryRunView,
    PoolCustomersView,
    PoolIndexView,
    ReleaseView,
)

urlpatterns = [
    path("customers/pools/", PoolIndexView.as_view(), name="pool_index"),
    path("customers/pools/dry-run/", DryRunView.as_view(), name="pool_dry_run"),
    path("customers/pools/<int:pk>/", PoolCustomersView.as_view(), name="pool_customers"),
    path("customers/pools/<int:pk>/assign/", AssignView.as_view(), name="pool_assign"),
    path("customers/<int:pk>/claim/", ClaimView.as_view(), name="customer_claim"),
    path("customers/<int:pk>/release/", ReleaseView.as_view(), name="customer_release"),
    path("customers/bulk-move-to-pool/", BulkMoveToPoolView.as_view(), name="customer_bulk_move_to_pool"),
]
