"""Targets (业绩目标), declared once (``guanxi.framework.entities``).

Managers and directors set the targets of their department tree and its people; a rep reads
their own; read-only users read all. The grid (``/targets/``) is the page that edits them; the
API (``/api/v1/targets/targets/``, ``guanxi/targets/api``) writes them under the grid's rule.
"""

from guanxi.framework.entities import EntityType, Grant, register_entity
from guanxi.framework.importing import ImportSpec
from guanxi.targets.api.serializers import TargetSerializer
from guanxi.targets.api.views import TargetViewSet
from guanxi.targets.models import Target
from guanxi.targets.services import measure_from_text
from guanxi.users.default_roles import ALL_ACTIONS

TARGET_IMPORTS = ImportSpec(
    order=80,
    synonyms={
        "user": ("销售", "销售代表", "负责人", "员工", "姓名", "rep", "owner", "sales rep"),
        "measure": ("指标", "目标类型", "考核指标", "measure"),
        "year": ("年份", "年度", "年", "year"),
        "period": ("期间", "周期", "月份", "季度", "period", "month"),
        "amount": ("目标", "目标值", "目标金额", "金额", "target", "amount"),
    },
    prepare=measure_from_text,
    values={
        "period": {
            "全年": "year",
            "年度": "year",
            **{f"第{q}季度": f"q{q}" for q in range(1, 5)},
            **{f"第{c}季度": f"q{q}" for q, c in enumerate("一二三四", start=1)},
            **{f"{q}季度": f"q{q}" for q in range(1, 5)},
            **{f"{m}月": f"m{m:02d}" for m in range(1, 13)},
            **{f"{m:02d}月": f"m{m:02d}" for m in range(1, 13)},
            **{f"m{m}": f"m{m:02d}" for m in range(1, 10)},
        },
    },
)

register_entity(
    EntityType(
        model=Target,
        imports=TARGET_IMPORTS,
        serializer=TargetSerializer,
        viewset=TargetViewSet,
        api_name="targets",
        grants={
            "admin": Grant(ALL_ACTIONS, "all"),
            "sales_director": Grant(
                ["view", "add", "change", "delete", "export", "import"], "department_tree"
            ),
            "sales_manager": Grant(
                ["view", "add", "change", "delete", "export", "import"], "department_tree"
            ),
            "sales_rep": Grant(["view"], "own"),
            "read_only": Grant(["view", "export"], "all"),
        },
    )
)
