"""The approval card on a record's page (``detail.actions``) and the bell's "awaiting me" line."""

from __future__ import annotations

from typing import Any

from guanxi.approvals.access import pending_request_for
from guanxi.approvals.declare import APPROVABLE
from guanxi.framework.cards import register_card


@register_card("detail.actions", "approvals/card.html", weight=1)
def approval_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """While an approval is pending: what it waits for, and the buttons the reader may use
    (approve / reject for the current approvers, withdraw for the submitter)."""
    from guanxi.approvals.services import current_step, may_act

    if obj is None or request is None or type(obj) not in APPROVABLE:
        return None
    pending = pending_request_for(obj)
    if pending is None:
        return None
    user = request.user
    step = current_step(pending)
    return {
        "approval": pending,
        "approval_step": step,
        "approval_waiting_on": list(step.approvers.all()) if step else [],
        "can_decide": may_act(pending, user),
        "can_withdraw": pending.submitter_id == user.pk,
        "back": request.get_full_path(),
    }
