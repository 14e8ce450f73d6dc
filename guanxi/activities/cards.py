"""Cards on generic pages: the 360° page's quick actions and "Follow-ups and tasks" card on every
followable record, and the "My day" cards of the home page (see guanxi.framework.cards)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import FollowUp, Task
from guanxi.activities.registry import followable
from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.framework.tables import RowAction, register_row_action


@register_card("detail.actions", "activities/actions.html", weight=10)
def follow_up_actions(request: Any, obj: Any) -> dict[str, Any] | None:
    if obj is None or followable(obj) is None:
        return None
    can_log, can_task = can(request.user, "add", FollowUp), can(request.user, "add", Task)
    if not (can_log or can_task):
        return None
    return {
        "activities_type_id": ContentType.objects.get_for_model(type(obj)).pk,
        "can_log_follow_up": can_log,
        "can_add_task": can_task,
    }


@register_card("detail.main", "activities/panel.html", weight=10)
def follow_up_panel(request: Any, obj: Any) -> dict[str, Any] | None:
    if obj is None or followable(obj) is None:
        return None
    from guanxi.activities.panel import panel_context

    return panel_context(request, obj)


@register_row_action
def log_follow_up_row_action(table: Any, record: Any) -> RowAction | None:
    """ "Log follow-up" on the card of any followable record: its page, with the log form open."""
    model = table._meta.model

    def allowed() -> bool:
        return followable(model) is not None and can(table.user, "add", FollowUp)

    if not table.cached("activities:log", allowed):
        return None
    return RowAction(
        _("Log follow-up"),
        f"{record.get_absolute_url()}?open=log#activities-panel",
        "message-plus",
        "row-log",
    )


# The "My day" cards register from their own module.
from guanxi.activities import myday, team  # noqa: E402, F401  (and the team home's widgets)
