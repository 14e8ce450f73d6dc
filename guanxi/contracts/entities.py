"""Contracts (合同) and orders (订单): owned like deals — reps their own, managers and directors
their department tree; the contract settings page is for administrators."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.api.serializers import ContractSerializer, OrderSerializer
from guanxi.contracts.api.views import ContractViewSet, OrderViewSet
from guanxi.contracts.models import Contract, ContractSettings, ContractStatus, Order, OrderStatus
from guanxi.contracts.services import build_order_lines, order_lines_editable
from guanxi.contracts.views import ContractViews, OrderViews
from guanxi.framework.entities import EntityType, Follow, Grant, MenuEntry, Transfer, register_entity
from guanxi.framework.importing import CUSTOMER_HEADERS, OWNER_HEADERS, ImportSpec, LineField, LineSpec
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
# An order is imported with its lines, one row per line; the lines go through the order's own
# service (build_order_lines: prices, discounts, the total), as on the order's page.
ORDER_LINES = LineSpec(
    model="contracts.orderline",
    parent_field="order",
    group_key="number",
    fields=(
        LineField(
            "line_product",
            "fk",
            _("line: product"),
            (
                "产品",
                "产品名称",
                "产品编码",
                "商品",
                "商品名称",
                "货号",
                "sku",
                "product",
                "product name",
            ),
            related="products.product",
        ),
        LineField(
            "line_description",
            "text",
            _("line: description"),
            ("描述", "明细", "说明", "line description"),
        ),
        LineField("line_quantity", "decimal", _("line: quantity"), ("数量", "订购数量", "qty", "quantity")),
        LineField(
            "line_unit_price",
            "decimal",
            _("line: unit price"),
            ("单价", "价格", "售价", "unit price", "price"),
        ),
        LineField(
            "line_discount_percent",
            "decimal",
            _("line: discount (%)"),
            ("折扣", "折扣率", "折扣%", "折扣(%)", "discount", "discount %"),
        ),
    ),
    build=build_order_lines,
    editable=order_lines_editable,
)

ORDER_IMPORTS = ImportSpec(
    order=60,
    synonyms={
        "number": ("订单编号", "订单号", "单号", "order number", "order no", "order"),
        "customer": CUSTOMER_HEADERS,
        "owner": OWNER_HEADERS,
        "order_date": ("订单日期", "下单日期", "日期", "date", "order date"),
        "channel": ("渠道", "销售渠道", "下单渠道", "channel"),
        "currency": ("币种", "货币", "currency"),
        "contract": ("合同", "合同名称", "contract"),
        "notes": ("备注", "订单备注", "remark", "remarks"),
    },
    match_keys=("number",),
    extra=("number",),
    exclude=("total_amount", "total_currency"),  # the lines' sum, computed by the service
    lines=ORDER_LINES,
)

register_entity(
    EntityType(
        model=Order,
        imports=ORDER_IMPORTS,
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
