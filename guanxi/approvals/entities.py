"""The approval engine's entity types: flows (administrators configure them through the API) and
requests (read by their submitter, the scopes over them and their approvers; acted on through
their actions). Neither has generic pages: the lists and the request page are the engine's own."""

from guanxi.approvals.api.serializers import ApprovalFlowSerializer, ApprovalRequestSerializer
from guanxi.approvals.api.views import ApprovalFlowViewSet, ApprovalRequestViewSet
from guanxi.approvals.models import ApprovalFlow, ApprovalRequest
from guanxi.framework.entities import EntityType, Grant, register_entity
from guanxi.users.default_roles import ALL_ACTIONS

register_entity(
    EntityType(
        model=ApprovalFlow,
        serializer=ApprovalFlowSerializer,
        viewset=ApprovalFlowViewSet,
        api_name="flows",
        grants={"admin": Grant([a for a in ALL_ACTIONS if a not in ("assign", "reveal")], "all")},
    )
)
register_entity(
    EntityType(
        model=ApprovalRequest,
        serializer=ApprovalRequestSerializer,
        viewset=ApprovalRequestViewSet,
        api_name="requests",
        # Everyone reads their own requests; the approvers of a request read it through the
        # engine's row access (which needs a grant on the type: this one).
        grants={
            "admin": Grant(["view", "export"], "all"),
            "sales_director": Grant(["view", "export"], "department_tree"),
            "sales_manager": Grant(["view", "export"], "department_tree"),
            "sales_rep": Grant(["view"], "own"),
            "service_agent": Grant(["view"], "own"),
            "marketing": Grant(["view"], "own"),
            "read_only": Grant(["view", "export"], "all"),
            "finance": Grant(["view"], "own"),  # 财务 submits receipts and invoice requests
        },
    )
)
