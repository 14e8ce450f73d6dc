"""Contracts (合同) and orders (订单): owned like deals — reps their own, managers and directors
their department tree; the contract settings page is for administrators."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.api.serializers import ContractSerializer, OrderSerializer
from guanxi.contracts.api.views import ContractViewSet, OrderViewSet
from guanxi.contracts.models import Contract, ContractSettings, ContractStatus, Order, OrderStatus
from guanxi.contracts.views import ContractViews, OrderViews
from guanxi.framework.entities import EntityType, Follow, Grant, MenuEntry, Transfer, register_entity
from guanxi.users.default_roles import ALL_ACTIONS

GRANTS = {
    "admin": Grant(ALL_ACTIONS, "all"),
    "sales_director": Grant(["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
    "sales_rep": Grant(["view", "add", "change"], "own"),
    "service_agent": Grant(["view"], "all"),
    "read_only": Grant(["view", "export"], "all"),
    "finance": Grant(["view", "export"], "all"),  # 财务 collects on every contract (receivables)
}

register_entity(
    EntityType(
        model=Contract,
        views=ContractViews,
        serializer=ContractSerializer,
        viewset=ContractViewSet,
        api_name="contracts",
        search=(("number", 100), ("title", 80)),
        menu=MenuEntry("sales", _("Contracts"), icon="file-certificate", weight=40),
        grants=GRANTS,
        # A leaving colleague's contracts still running go with their customers.
        transfer=Transfer(
            _("contracts"),
            open_filter=Q(
                status__in=[ContractStatus.DRAFT, ContractStatus.PENDING_APPROVAL, ContractStatus.ACTIVE]
            ),
        ),
        follow=Follow(customer_of=lambda contract: contract.customer),
    )
)
register_entity(
    EntityType(
        model=Order,
        views=OrderViews,
        serializer=OrderSerializer,
        viewset=OrderViewSet,
        api_name="orders",
        search=(("number", 100),),
        menu=MenuEntry("sales", _("Orders"), icon="shopping-cart", weight=50),
        grants=GRANTS,
        transfer=Transfer(_("orders"), open_filter=Q(status__in=[OrderStatus.DRAFT, OrderStatus.CONFIRMED])),
    )
)
# The contract settings page (number pattern, renewal reminder) is for administrators.
register_entity(EntityType(model=ContractSettings, grants={"admin": Grant(["view", "change"], "all")}))
