"""Deals (商机), pipelines and their stages, declared once (``guanxi.framework.entities``).

Reps work their own deals (and those whose team they are on: the record team,
``core.RecordShare``, OR-ed into ``restrict()`` by ``guanxi.users.access.shared_q``); managers and
directors their department tree. Pipelines and stages are reference data administrators configure
and every sales role reads.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import EntityType, Follow, Grant, MenuEntry, Transfer, register_entity
from guanxi.framework.importing import CUSTOMER_HEADERS, OWNER_HEADERS, ImportSpec
from guanxi.sales.api.serializers import DealSerializer, PipelineSerializer, StageSerializer
from guanxi.sales.api.views import DealViewSet, PipelineViewSet, StageViewSet
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.views import DealViews, PipelineViews, StageViews
from guanxi.users.default_roles import ALL_ACTIONS

DEAL_IMPORTS = ImportSpec(
    order=50,
    synonyms={
        "name": ("商机名称", "商机", "项目名称", "项目", "deal name", "opportunity"),
        "customer": CUSTOMER_HEADERS,
        "owner": OWNER_HEADERS,
        "amount_amount": ("金额", "商机金额", "预计金额", "预计成交金额", "amount", "deal amount"),
        "amount_currency": ("币种", "货币", "currency"),
        "expected_close_date": (
            "预计成交日期",
            "预计成交时间",
            "预计签单日期",
            "成交日期",
            "close date",
            "expected close",
        ),
        "source": ("来源", "商机来源"),
        "competitors": ("竞争对手", "竞品"),
        "next_step": ("下一步", "下一步计划"),
        "description": ("描述", "说明", "备注", "notes"),
        "forecast_category": ("预测分类", "预测类别", "forecast"),
        "pipeline": ("销售流程", "管道", "pipeline"),
    },
    match_keys=("id",),
)

register_entity(
    EntityType(
        model=Deal,
        imports=DEAL_IMPORTS,
        views=DealViews,
        serializer=DealSerializer,
        viewset=DealViewSet,
        api_name="deals",
        search=(("name", 100),),
        menu=MenuEntry("sales", _("Deals"), icon="briefcase", weight=10),
        grants={
            "admin": Grant(ALL_ACTIONS, "all"),
            "sales_director": Grant(
                ["view", "add", "change", "delete", "export", "import", "assign"], "department_tree"
            ),
            "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
            "sales_rep": Grant(["view", "add", "change"], "own"),
            "service_agent": Grant(["view"], "all"),
            "marketing": Grant(["view", "export"], "all"),
            "read_only": Grant(["view", "export"], "all"),
        },
        # A leaving colleague's open deals go with their customers; won and lost deals stay theirs.
        transfer=Transfer(_("deals"), open_filter=Q(stage__kind=StageKind.OPEN)),
        follow=Follow(customer_of=lambda deal: deal.customer),
    )
)

REFERENCE_GRANTS = {
    "admin": Grant(["view", "add", "change", "delete", "export"], "all"),
    "sales_director": Grant(["view"], "all"),
    "sales_manager": Grant(["view"], "all"),
    "sales_rep": Grant(["view"], "all"),
    "service_agent": Grant(["view"], "all"),
    "marketing": Grant(["view"], "all"),
    "read_only": Grant(["view", "export"], "all"),
}
register_entity(
    EntityType(
        model=Pipeline,
        views=PipelineViews,
        serializer=PipelineSerializer,
        viewset=PipelineViewSet,
        api_name="pipelines",
        search=(("name", 80), ("name_en", 60)),
        menu=MenuEntry(
            "sales", _("Pipelines"), icon="git-branch", weight=40, permission="sales.change_pipeline"
        ),
        grants=REFERENCE_GRANTS,
    )
)
register_entity(
    EntityType(
        model=Stage,
        views=StageViews,
        serializer=StageSerializer,
        viewset=StageViewSet,
        api_name="stages",
        search=(("name", 60), ("name_en", 50)),
        menu=MenuEntry("sales", _("Stages"), icon="columns", weight=50, permission="sales.change_stage"),
        grants=REFERENCE_GRANTS,
    )
)
