"""Navigation: 待我审批, 我发起的 and 我已审批 (the engine's own pages, not entity lists)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("approvals", _("Approvals"), weight=160)
add_menu_items(
    "approvals",
    [
        MenuItem(_("Awaiting my approval"), "approvals:inbox", icon="clipboard-check", weight=10),
        MenuItem(_("Submitted by me"), "approvals:submitted", icon="send", weight=20),
        MenuItem(_("Decided by me"), "approvals:decided", icon="checks", weight=30),
    ],
)
# Administrators configure the flows (the grants on ApprovalFlow decide who sees the entry).
add_menu_items(
    "organisation",
    [
        MenuItem(
            _("Approval flows"),
            "approvals:flow_list",
            icon="git-branch",
            permission="approvals.view_approvalflow",
            weight=60,
        )
    ],
)
