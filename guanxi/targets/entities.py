"""Targets (业绩目标), declared once (``guanxi.framework.entities``).

Managers and directors set the targets of their department tree and its people; a rep reads
their own; read-only users read all. The grid (``/targets/``) is the page that edits them; the
API (``/api/v1/targets/targets/``, ``guanxi/targets/api``) writes them under the grid's rule.
"""

from guanxi.framework.entities import EntityType, Grant, register_entity
from guanxi.targets.api.serializers import TargetSerializer
from guanxi.targets.api.views import TargetViewSet
from guanxi.targets.models import Target
from guanxi.users.default_roles import ALL_ACTIONS

register_entity(
    EntityType(
        model=Target,
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
