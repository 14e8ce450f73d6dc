"""Navigation entries of the activities app."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework.navigation import MenuGroup, MenuItem, register_menu

register_menu(
    MenuGroup(
        _("Activities"),
        weight=150,
        items=[
            MenuItem(
                _("Follow-ups"),
                "activities:followup_list",
                icon="message-2",
                permission="activities.view_followup",
            ),
            MenuItem(
                pgettext_lazy("activity", "Tasks"),
                "activities:task_list",
                icon="checkbox",
                permission="activities.view_task",
            ),
        ],
    )
)
