"""Public pools and their return rules, declared once (``guanxi.framework.entities``).

Administrators keep them; directors and managers read them (the pool page itself needs only
``view`` on customers).
"""

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Pool, PoolRule
from guanxi.customers.pools.api.views import PoolRuleViewSet, PoolViewSet
from guanxi.customers.pools.views_admin import PoolRuleViews, PoolViews
from guanxi.framework.entities import EntityType, Grant, MenuEntry, register_entity
from guanxi.users.default_roles import ALL_ACTIONS

POOL_GRANTS = {
    "admin": Grant([a for a in ALL_ACTIONS if a not in ("assign", "reveal")], "all"),
    "sales_director": Grant(["view"], "all"),
    "sales_manager": Grant(["view"], "all"),
}
register_entity(
    EntityType(
        model=Pool,
        views=PoolViews,
        viewset=PoolViewSet,
        api_name="pools",
        menu=MenuEntry(
            "pool_settings", _("Pools"), icon="inbox", weight=10, permission="customers.change_pool"
        ),
        grants=POOL_GRANTS,
    )
)
register_entity(
    EntityType(
        model=PoolRule,
        views=PoolRuleViews,
        viewset=PoolRuleViewSet,
        api_name="pool-rules",
        menu=MenuEntry(
            "pool_settings", _("Pool rules"), icon="ruler", weight=20, permission="customers.change_poolrule"
        ),
        grants=POOL_GRANTS,
    )
)
